package retally

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

// FuzzParseKey: a key is read as the tally's only if it is exactly what
// TallyKey writes for what was read; anything else is left alone.
func FuzzParseKey(f *testing.F) {
	for _, k := range []string{okrcore.TallyKey(3, -1), okrcore.TallyKey(0, 2962), "tally:b", "tally:w-1:b2", "tally:b07", "journal:1", "tally:b1 ", ""} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, k string) {
		block, week, ok := parseKey(k)
		if ok && okrcore.TallyKey(block, week) != k {
			t.Errorf("%q read as block %d week %d, which is %q", k, block, week, okrcore.TallyKey(block, week))
		}
	})
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		key   string
		block okrcore.ID
		week  int64
		ok    bool
	}{
		{okrcore.TallyKey(3, -1), 3, -1, true},
		{okrcore.TallyKey(0, 2962), 0, 2962, true},
		{"tally:b07", 0, 0, false},
		{"tally:b1 ", 0, 0, false},
		{"journal:1", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tc := range tests {
		block, week, ok := parseKey(tc.key)
		if block != tc.block || week != tc.week || ok != tc.ok {
			t.Errorf("parseKey(%q) = %d, %d, %v; want %d, %d, %v", tc.key, block, week, ok, tc.block, tc.week, tc.ok)
		}
	}
}
