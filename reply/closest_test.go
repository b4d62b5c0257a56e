package reply_test

import (
	"testing"

	"github.com/okrbot/okrbot/reply"
)

func TestClosest(t *testing.T) {
	names := []string{"away", "mine", "mute", "schedule", "show"}
	tests := []struct {
		word, want string
		ok         bool
	}{
		{"mien", "mine", true},
		{"awya", "away", true},
		{"shedule", "schedule", true},
		{"mute", "mute", true},
		{"xylophone", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			got, ok := reply.Closest(tt.word, names)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Closest(%q) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
			}
		})
	}
}
