package bot_test

import (
	"strings"
	"testing"
)

// TestDialogsShareOneVocabulary: every word that moves past a question or
// ends a dialog does so in the guided check-in and in the retrospective
// alike (`-`, `none` and `n/a` used to work only in the retrospective).
func TestDialogsShareOneVocabulary(t *testing.T) {
	for _, word := range []string{"skip", "next", "pass", "-", "none", "n/a", "nothing", "Skip.", " none "} {
		t.Run("skip "+word, func(t *testing.T) {
			h := newHarness(t, true)
			wantContains(t, h.say("alice", "/okr checkin"), "(1/3) KR4")
			wantContains(t, h.say("alice", word), "(2/3) KR6")
			before := h.kr(4).Current
			wantContains(t, h.say("alice", "/okr retro"), "(1/7)")
			wantContains(t, h.say("alice", "stop"), "Stopped. You checked in on 0 of 3")
			wantContains(t, h.say("alice", word), "(2/7)")
			if h.kr(4).Current != before {
				t.Errorf("a skipped question changed KR4: %v → %v", before, h.kr(4).Current)
			}
		})
	}
	for _, word := range []string{"stop", "cancel", "quit", "exit", "end", "Stop!"} {
		t.Run("stop "+word, func(t *testing.T) {
			h := newHarness(t, true)
			h.say("alice", "/okr checkin")
			if got := h.say("alice", word); !strings.Contains(got, "Stopped.") {
				t.Errorf("%q did not end the check-in:\n%s", word, got)
			}
			h.say("alice", "/okr retro")
			if got := h.say("alice", word); !strings.Contains(got, "Stopped; nothing from this retrospective was saved") {
				t.Errorf("%q did not end the retrospective:\n%s", word, got)
			}
		})
	}
}
