package transfercmd

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/transfer"
)

// TestRelayFraming: what the running okrbot sends reads back as it was
// sent: output lines, export bytes in order between progress lines, and
// the outcome.
func TestRelayFraming(t *testing.T) {
	var wire bytes.Buffer
	r := newRelay(&wire)
	r.say("Created 3 objectives.\nWarnings:\n")
	if _, err := r.Write([]byte("{\"format\":")); err != nil {
		t.Fatal(err)
	}
	r.progress(transfer.Progress{Phase: "export", Done: 5, Total: 10})
	if _, err := r.Write([]byte("\"okrbot-export\"}\nsay not a line\n")); err != nil {
		t.Fatal(err)
	}
	r.finish(nil)
	var out, data bytes.Buffer
	if err := readAnswer(bufio.NewReader(&wire), &out, &data, newProgressLine(io.Discard, false, (&fakeClock{}).now)); err != nil {
		t.Fatal(err)
	}
	if out.String() != "Created 3 objectives.\nWarnings:\n" {
		t.Errorf("output %q", out.String())
	}
	if data.String() != "{\"format\":\"okrbot-export\"}\nsay not a line\n" {
		t.Errorf("data %q", data.String())
	}

	wire.Reset()
	r = newRelay(&wire)
	r.finish(errorString("two\nlines"))
	err := readAnswer(bufio.NewReader(&wire), &out, &data, newProgressLine(io.Discard, false, (&fakeClock{}).now))
	if err == nil || err.Error() != "two lines" {
		t.Errorf("a failure read back as %v", err)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestReadAnswerRefusals: what the command makes of an answer it cannot
// use is a sentence, never the protocol's words.
func TestReadAnswerRefusals(t *testing.T) {
	tests := []struct {
		answer, want string
	}{
		{"fail the file is empty\n", "the file is empty"},
		{"ERR unknown request\n", "the running okrbot is an older version that cannot import or export; restart it with this one"},
		{"ERR okrbot is shutting down; try again once it is back\n", "okrbot is shutting down; try again once it is back"},
		{"progress write 1 2\n", "the running okrbot stopped answering before it finished (an import stopped half way is rolled back when okrbot starts again)"},
		{"data many\n", "the running okrbot sent what this okrbot cannot read; are they the same version?"},
		{"hello\n", "the running okrbot sent what this okrbot cannot read; are they the same version?"},
		{"data 10\nshort", "the running okrbot stopped answering before the export was complete; no file was written"},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			var out, data bytes.Buffer
			err := readAnswer(bufio.NewReader(strings.NewReader(tt.answer)), &out, &data, newProgressLine(io.Discard, false, (&fakeClock{}).now))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}
