package slack

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

// TestProgressStatusNote: what a person said, when progress says
// otherwise, follows the status.
func TestProgressStatusNote(t *testing.T) {
	got := progressText(chat.ProgressBar{Ref: "KR1", Label: "Deals", Progress: 0.24, Status: chat.StatusOffTrack,
		StatusNote: "alice said on track on Nov 16", Detail: "24 of 100"})
	if want := "24 of 100 · _off track_ · alice said on track on Nov 16"; !strings.Contains(got, want) {
		t.Errorf("progress bar %q, want it to hold %q", got, want)
	}
}
