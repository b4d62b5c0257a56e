package chat

// Image is a picture in a message, such as a digest's chart. Alt says in
// words what it shows, for whoever cannot see it and for a platform that
// shows no picture (the terminal), which shows Alt instead; it is markup
// like every text of a message, so a name or a title in it goes through
// User. Title names the picture where a platform gives it one (a shared
// Slack file).
type Image struct {
	PNG   []byte
	Alt   string
	Title string
}

func (Image) isBlock() {}

// Images are the pictures among blocks, in order.
func Images(blocks []Block) []Image {
	var out []Image
	for _, b := range blocks {
		if img, ok := b.(Image); ok && len(img.PNG) > 0 {
			out = append(out, img)
		}
	}
	return out
}
