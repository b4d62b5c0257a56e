package kit

import (
	"fmt"
	"testing"
	"time"
)

// clock is a time that tests move.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestTTLSet(t *testing.T) {
	type step struct {
		advance time.Duration
		remove  string
		add     string
		want    bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"new then repeated", []step{{add: "E1", want: true}, {add: "E1", want: false}, {add: "E2", want: true}}},
		{"remembered within the ttl", []step{{add: "E1", want: true}, {advance: 59*time.Minute + 59*time.Second, add: "E1", want: false}}},
		{"forgotten at the ttl", []step{{add: "E1", want: true}, {advance: time.Hour, add: "E1", want: true}, {add: "E1", want: false}}},
		{"a repeat does not extend it", []step{{add: "E1", want: true}, {advance: 30 * time.Minute, add: "E1", want: false},
			{advance: 30 * time.Minute, add: "E1", want: true}}},
		{"removed", []step{{add: "E1", want: true}, {remove: "E1", add: "E1", want: true}, {add: "E1", want: false}}},
		{"removing the unknown", []step{{remove: "E9", add: "E1", want: true}}},
		{"the empty key is a key", []step{{add: "", want: true}, {add: "", want: false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
			s := NewTTLSet(time.Hour, c.now)
			for i, st := range tt.steps {
				c.advance(st.advance)
				if st.remove != "" {
					s.Remove(st.remove)
				}
				if got := s.Add(st.add); got != st.want {
					t.Errorf("step %d: Add(%q) = %v, want %v", i+1, st.add, got, st.want)
				}
			}
		})
	}
}

func TestTTLSetSweepsExpiredKeys(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	s := NewTTLSet(time.Minute, c.now)
	for i := range sweepEvery - 1 {
		s.Add(fmt.Sprint("old", i))
	}
	c.advance(time.Minute)
	s.Add("new") // the sweepEvery-th add sweeps
	if n := len(s.m); n != 1 {
		t.Errorf("%d keys held after a sweep, want 1", n)
	}
	if s.Add("new") {
		t.Error("a sweep forgot a live key")
	}
}
