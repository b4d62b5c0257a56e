package okrcore_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// A tally slot reads back as written, and bytes that are not one read as
// not one (the block is then built again), never as a wrong tally.
func FuzzDecodeTally(f *testing.F) {
	f.Add(okrcore.EncodeTally(map[okrcore.ID]okrcore.Span{1: {First: 10, Last: 20}, 300: {First: -5, Last: -5}}))
	f.Add([]byte{})
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, ok := okrcore.DecodeTally(b)
		if !ok {
			return
		}
		again, ok := okrcore.DecodeTally(okrcore.EncodeTally(s))
		if !ok || !reflect.DeepEqual(again, s) {
			t.Fatalf("%x reads %v, which reads back as %v (%v)", b, s, again, ok)
		}
	})
}

func TestTallyWeeks(t *testing.T) {
	tests := []struct {
		at   time.Time
		week time.Time // the Monday 00:00 UTC of its week
	}{
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC), time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 11, 29, 12, 0, 0, 0, time.FixedZone("x", 14*3600)), time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 29, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		if got := okrcore.TallyWeekStart(okrcore.TallyWeekOf(tc.at)); !got.Equal(tc.week) {
			t.Errorf("the week of %s begins %s, want %s", tc.at, got, tc.week)
		}
	}
}
