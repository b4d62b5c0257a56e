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
	// InWords says the message says what the picture shows already (each
	// key result's sparkline beside its bar): a platform that shows no
	// picture there leaves it out instead of printing Alt.
	InWords bool
	// Draw, when PNG is empty, draws the picture: only a platform that
	// shows it pays for the drawing.
	Draw func() ([]byte, error) `json:"-"`
	// URL, when an adapter set it, is where okrbot serves the picture (a
	// signed address of the web view), for a card that shows it by
	// address instead of carrying its bytes.
	URL string
}

// Bytes is the picture's PNG, drawn now if it is drawn on demand; nil
// when there is none.
func (img Image) Bytes() []byte {
	if len(img.PNG) > 0 || img.Draw == nil {
		return img.PNG
	}
	b, err := img.Draw()
	if err != nil {
		return nil
	}
	return b
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
