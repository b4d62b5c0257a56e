package teams

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/okrbot/okrbot/chat"
)

// MaxInlineImage is the largest picture, as base64, that a card carries
// inline as a data: URI. A team's chart from package chart is about 14 KB
// (19 KB in base64) and fits with the digest's text in MaxActivityBytes; a
// larger picture, or one the card's text leaves no room for, is shown from
// a signed address okrbot serves (Options.Images) when it has one, and is
// otherwise left out, its alt text shown instead.
const MaxInlineImage = 20 * 1024

// ImageHost keeps a picture and returns the address it is served at
// (web.Images: signed, expiring, of one workspace).
type ImageHost interface {
	ImageURL(ctx context.Context, png []byte) (string, error)
}

// UseImages serves the charts too large to go inline at addresses h
// makes. Call it before Run.
func (a *Adapter) UseImages(h ImageHost) { a.opts.Images = h }

// placeImages decides, picture by picture, how m's card carries it:
// inline when it is small and the card stays within MaxActivityBytes with
// it, else by the address Options.Images gives, else not at all (its
// words, or nothing where the message says them already). Each picture
// drawn on demand is drawn once, here.
func (a *Adapter) placeImages(ctx context.Context, m chat.Message) chat.Message {
	idx := []int{}
	for i, b := range m.Blocks {
		if _, ok := b.(chat.Image); ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return m
	}
	bare := m
	bare.Blocks = slices.DeleteFunc(slices.Clone(m.Blocks), func(b chat.Block) bool { _, ok := b.(chat.Image); return ok })
	room := MaxActivityBytes - jsonSize(RenderActivity(bare))
	m.Blocks = slices.Clone(m.Blocks)
	for _, i := range idx {
		img := m.Blocks[i].(chat.Image)
		img.PNG, img.Draw = img.Bytes(), nil
		n := base64.StdEncoding.EncodedLen(len(img.PNG)) + imageOverhead
		switch {
		case len(img.PNG) == 0:
		case n-imageOverhead <= MaxInlineImage && n <= room:
			room -= n
		case a.opts.Images != nil:
			url, err := a.opts.Images.ImageURL(ctx, img.PNG)
			if err != nil {
				a.log.WarnContext(ctx, "teams: a chart goes as its words, its address could not be made", "err", err)
			}
			img.URL, img.PNG = url, nil
		default:
			img.PNG = nil
		}
		m.Blocks[i] = img
	}
	return m
}

// imageOverhead is an inline Image element's JSON beside its data: URI
// (type, size, alt text's key).
const imageOverhead = 120

// inlineImage is img as an Adaptive Card Image with a data: URI, nil when
// it is empty or too large to carry inline.
func inlineImage(img chat.Image) map[string]any {
	if img.URL != "" {
		return map[string]any{"type": "Image", "url": img.URL, "altText": plainText(img.Alt), "size": "Stretch"}
	}
	png := img.Bytes()
	n := base64.StdEncoding.EncodedLen(len(png))
	if len(png) == 0 || n > MaxInlineImage {
		return nil
	}
	return map[string]any{"type": "Image", "url": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
		"altText": plainText(img.Alt), "size": "Stretch"}
}
