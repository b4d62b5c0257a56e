package shell

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// TestRenderImage: the terminal shows a picture's words in its place.
func TestRenderImage(t *testing.T) {
	for _, tt := range []struct {
		name string
		img  chat.Image
		want string
	}{
		{"with a picture", chat.Image{PNG: []byte{1}, Alt: "Sales: 1 objective"}, "  Sales: 1 objective\n"},
		{"without one", chat.Image{Alt: "Grow ARR ▁▃▅"}, "  Grow ARR ▁▃▅\n"},
		{"said in words already", chat.Image{Alt: "Your key results", InWords: true, Draw: func() ([]byte, error) {
			t.Error("the terminal drew a picture it does not show")
			return nil, nil
		}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := Render(chat.Message{Blocks: []chat.Block{tt.img}})
			if tt.want == "" && strings.TrimSpace(got) != "" {
				t.Errorf("rendered %q, want nothing", got)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("rendered %q, want %q in it", got, tt.want)
			}
		})
	}
}
