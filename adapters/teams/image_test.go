package teams

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// TestImage: a picture small enough goes inline as a data: URI with its
// words as alt text; an empty or too large one leaves its words in the
// card instead, and the activity stays within Teams' size.
func TestImage(t *testing.T) {
	small := make([]byte, 10*1024)
	large := make([]byte, MaxInlineImage) // its base64 is a third larger
	alt := "Sales: 1 objective; " + chat.User("*Grow* ARR") + " is at 40%"
	tests := []struct {
		name   string
		png    []byte
		inline bool
	}{
		{"small goes inline", small, true},
		{"too large leaves its words", large, false},
		{"empty leaves its words", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := chat.Message{Text: "digest", Blocks: []chat.Block{chat.Header{Text: "Sales"}, chat.Image{PNG: tt.png, Alt: alt}}}
			b, err := json.Marshal(RenderCard(m))
			if err != nil {
				t.Fatal(err)
			}
			card := string(b)
			hasImage := strings.Contains(card, `"url":"data:image/png;base64,`)
			if hasImage != tt.inline {
				t.Fatalf("inline image %v, want %v: %.300s", hasImage, tt.inline, card)
			}
			if tt.inline && !strings.Contains(card, `"altText":"Sales: 1 objective; *Grow* ARR is at 40%"`) {
				t.Errorf("no plain alt text: %.300s", card)
			}
			if !tt.inline && !strings.Contains(card, "is at 40%") {
				t.Errorf("the words are not in the card: %s", card)
			}
			for _, a := range RenderActivities(m) {
				if n := jsonSize(a); n > MaxActivityBytes {
					t.Errorf("an activity of %d bytes, over %d", n, MaxActivityBytes)
				}
			}
		})
	}
}
