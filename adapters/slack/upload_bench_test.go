package slack

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// BenchmarkSendImage is a digest sent to the fake Slack over HTTP, with a
// picture the size of a team's chart (about 14 KB) and without: what the
// three calls of the upload add to a digest's send.
func BenchmarkSendImage(b *testing.B) {
	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	for i := range 800 * 400 / 7 {
		img.Set(i%800, (i*13)%400, color.RGBA{uint8(i), 0x72, 0xB2, 0xFF})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		b.Fatal(err)
	}
	pic := buf.Bytes()[:min(buf.Len(), 14*1024)]
	for _, tc := range []struct {
		name   string
		blocks []chat.Block
	}{
		{"text only", []chat.Block{chat.Section{Text: "Sales: Grow ARR ▁▂▃▅ 40%"}}},
		{"with its chart", []chat.Block{chat.Section{Text: "Sales: Grow ARR ▁▂▃▅ 40%"}, chat.Image{PNG: pic, Alt: "Sales: 1 objective"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f := newFakeSlack(b)
			a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()}, Options{})
			if err != nil {
				b.Fatal(err)
			}
			m := chat.Message{Text: "Sales digest", Blocks: tc.blocks}
			for b.Loop() {
				if _, err := a.Send(b.Context(), chat.Conversation{ID: "C1"}, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
