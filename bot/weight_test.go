package bot_test

import "testing"

// TestWeightZeroIsRefused: a weight of 0 would count as 1; it is refused
// wherever a weight is given, and the hint for an unreadable weight
// suggests one that is accepted.
func TestWeightZeroIsRefused(t *testing.T) {
	h := newHarness(t, true)
	before := h.snapshot()
	for _, c := range []struct{ user, text string }{
		{"alice", "/okr edit KR4 weight 0"},
		{"alice", "/okr edit O3 weight 0"},
		{"alice", `/okr new kr O3 "Case studies" from 0 to 3 weight 0`},
	} {
		wantContains(t, h.say(c.user, c.text), "A weight of 0", "1 is the usual weight")
	}
	if h.snapshot() != before {
		t.Error("a refused weight changed something")
	}
	got := h.say("alice", "/okr edit KR4 weight lots")
	wantContains(t, got, "`/okr edit KR4 weight 2`")
	wantLacks(t, got, "weight 120")
	wantContains(t, h.say("alice", "/okr edit KR4 weight 2"), "Updated KR4")
	if w := h.kr(4).Weight; w != 2 {
		t.Errorf("KR4 weight %v, want 2", w)
	}
}
