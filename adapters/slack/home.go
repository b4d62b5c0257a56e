package slack

import (
	"context"
	"crypto/sha256"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// maxHomeFiles bounds the pictures whose uploaded file an adapter
// remembers: the App Home of the people who opened it lately.
const maxHomeFiles = 4096

// homeFiles remembers the file each App Home picture was uploaded as, by
// its bytes: a Home tab opened again with the same chart references the
// same file instead of uploading another.
type homeFiles struct {
	ids map[[sha256.Size]byte]string
}

// PublishHome shows a message as a person's App Home tab (views.publish).
// Its pictures (the person's chart) are uploaded first, shared nowhere,
// and referenced by image blocks as Slack files; a picture that cannot be
// uploaded is left out, the view published all the same (the bars'
// sparklines say what it shows).
func (a *Adapter) PublishHome(ctx context.Context, userID string, m chat.Message) error {
	files := map[int]string{}
	for i, b := range m.Blocks {
		img, ok := b.(chat.Image)
		if !ok {
			continue
		}
		if id, err := a.homeFile(ctx, img); err != nil {
			a.log.WarnContext(ctx, "slack: the Home tab went out without its chart", "err", err)
		} else if id != "" {
			files[i] = id
		}
	}
	_, err := a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: userID, View: renderHome(m, files)})
	return a.apiError("views.publish", err)
}

// homeFile is the id of img uploaded as a file, "" when it has no picture.
func (a *Adapter) homeFile(ctx context.Context, img chat.Image) (string, error) {
	data := img.Bytes()
	if len(data) == 0 {
		return "", nil
	}
	sum := sha256.Sum256(data)
	a.mu.Lock()
	id, ok := a.home.ids[sum]
	a.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := a.UploadImage(ctx, "", "", Image{Name: "okrs.png", Title: chat.PlainText(img.Title), Alt: chat.PlainText(img.Alt), PNG: data})
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	if a.home.ids == nil || len(a.home.ids) >= maxHomeFiles {
		a.home.ids = map[[sha256.Size]byte]string{}
	}
	a.home.ids[sum] = id
	a.mu.Unlock()
	return id, nil
}

// RenderHome turns a message into a Home tab: its blocks, at most 100,
// its pictures left out (PublishHome uploads them).
func RenderHome(m chat.Message) slackapi.HomeTabViewRequest { return renderHome(m, nil) }

// renderHome is RenderHome with the pictures at the blocks files names
// shown from their uploaded file.
func renderHome(m chat.Message, files map[int]string) slackapi.HomeTabViewRequest {
	v := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab}
	full := func() bool { return len(v.Blocks.BlockSet) >= maxViewBlocks-1 }
	add := func(part chat.Message) bool {
		for _, r := range Render(part) {
			for _, b := range r.Blocks {
				if full() {
					v.Blocks.BlockSet = append(v.Blocks.BlockSet, slackapi.NewContextBlock("", mrkdwn("…more in `/okr mine`.")))
					return false
				}
				v.Blocks.BlockSet = append(v.Blocks.BlockSet, b)
			}
		}
		return true
	}
	part := chat.Message{Text: m.Text}
	for i, b := range m.Blocks {
		id, ok := files[i]
		if !ok {
			part.Blocks = append(part.Blocks, b)
			continue
		}
		if !add(part) {
			return v
		}
		part.Blocks = nil
		img := b.(chat.Image)
		if !full() {
			v.Blocks.BlockSet = append(v.Blocks.BlockSet, slackapi.NewImageBlockSlackFile(&slackapi.SlackFileObject{ID: id},
				truncate(chat.PlainText(img.Alt), maxAltText), "", plain(truncate(chat.PlainText(img.Title), maxHeaderText))))
		}
	}
	if !add(part) {
		return v
	}
	if len(v.Blocks.BlockSet) == 0 {
		v.Blocks.BlockSet = append(v.Blocks.BlockSet, slackapi.NewSectionBlock(mrkdwn("Nothing here yet. Try `/okr help`."), nil, nil))
	}
	return v
}
