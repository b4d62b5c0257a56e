package report

import "testing"

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		noun string
		want string
	}{
		{1, "day", "1 day"},
		{0, "day", "0 days"},
		{3, "day", "3 days"},
		{2, "key", "2 keys"},
		{2, "survey", "2 surveys"},
		{2, "boy", "2 boys"},
		{2, "guy", "2 guys"},
		{2, "entry", "2 entries"},
		{4, "story", "4 stories"},
		{1, "entry", "1 entry"},
		{2, "person", "2 people"},
		{1, "person", "1 person"},
		{2, "key result", "2 key results"},
		{5, "objective", "5 objectives"},
		{2, "y", "2 ys"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}
