package coach_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/coach"
)

// The word on an objective short of key results is read when it is sent:
// nothing is said of one mended, gone or of a cycle that is over, and an
// item naming no objective is an error to report.
func TestFewKeyResultsReadWhenSent(t *testing.T) {
	k := bottest.New(t, bottest.Demo(), bottest.Start(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)))
	k.Ask("alice", `new objective "Open the partner channel"`) // O6, no key results
	k.Ask("alice", `new objective "Shorten the sales cycle"`)  // O7, mended below
	k.Ask("alice", `new kr O7 "Days to close" from 60 to 45`)
	k.Ask("alice", `new kr O7 "Stalled deals" from 12 to 4`)
	later := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		ref, skip, text, err string
		now                  time.Time
	}{
		{ref: "O6", now: later, text: "O6 *Open the partner channel* has 0 key results"},
		{ref: "O7", now: later, skip: "has its key results"},
		{ref: "O99", now: later, skip: "gone"},
		{ref: "O6", now: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), skip: "cycle is over"},
		{ref: "KR3", now: later, err: "not an objective"},
		{ref: "", now: later, err: "not an objective"},
	}
	for _, tc := range tests {
		type out struct {
			text, skip string
		}
		var got out
		var gotErr error
		_ = k.DB.View(t.Context(), func(tx okrcore.Tx) error {
			w, err := tx.Workspace(k.Workspace)
			if err != nil {
				return err
			}
			m, skip, err := coach.FewKeyResults(tx, w, tc.ref, tc.now)
			got, gotErr = out{bottest.Text(m), skip}, err
			return nil
		})
		switch {
		case tc.err != "":
			if gotErr == nil || !strings.Contains(gotErr.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.ref, gotErr, tc.err)
			}
		case gotErr != nil:
			t.Errorf("%s: %v", tc.ref, gotErr)
		case tc.skip != "":
			if !strings.Contains(got.skip, tc.skip) || strings.TrimSpace(got.text) != "" {
				t.Errorf("%s: skip %q text %q, want skipped for %q", tc.ref, got.skip, got.text, tc.skip)
			}
		case got.skip != "" || !strings.Contains(got.text, tc.text) || !strings.Contains(got.text, "/okr new kr O6"):
			t.Errorf("%s: skip %q text %q, want %q", tc.ref, got.skip, got.text, tc.text)
		}
	}
}
