package teams

import (
	"encoding/base64"

	"github.com/okrbot/okrbot/chat"
)

// MaxInlineImage is the largest picture, as base64, that a card carries
// inline as a data: URI. A team's chart from package chart is about 14 KB
// (19 KB in base64) and fits with the digest's text in MaxActivityBytes; a
// larger picture would push the card over Teams' limit, so it is left out
// and its alt text shown instead.
const MaxInlineImage = 20 * 1024

// inlineImage is img as an Adaptive Card Image with a data: URI, nil when
// it is empty or too large to carry inline.
func inlineImage(img chat.Image) map[string]any {
	png := img.Bytes()
	n := base64.StdEncoding.EncodedLen(len(png))
	if len(png) == 0 || n > MaxInlineImage {
		return nil
	}
	return map[string]any{"type": "Image", "url": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
		"altText": plainText(img.Alt), "size": "Stretch"}
}
