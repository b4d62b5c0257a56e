package away_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

// now is Thursday 3 December 2026, 15:00 in Berlin.
var (
	berlin = mustZone("Europe/Berlin")
	now    = time.Date(2026, 12, 3, 15, 0, 0, 0, berlin)
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, berlin) }

func TestParse(t *testing.T) {
	tests := []struct {
		text        string
		from, until time.Time
		note        string
	}{
		{"until 2027-01-10", now, day(2027, 1, 11), ""},
		{"until 2027-01-10 parental leave", now, day(2027, 1, 11), "parental leave"},
		{"until Dec 20, on vacation", now, day(2026, 12, 21), "on vacation"},
		{"until dec 20th", now, day(2026, 12, 21), ""},
		{"till 20 December 2026", now, day(2026, 12, 21), ""},
		{"until Jan 5", now, day(2027, 1, 6), ""},       // no year: the next one
		{"until December 3", now, day(2026, 12, 4), ""}, // today is still to come
		{"until 10.1.2027 - skiing", now, day(2027, 1, 11), "skiing"},
		{"2 weeks", now, day(2026, 12, 17), ""},
		{"for two weeks, conference", now, day(2026, 12, 17), "conference"},
		{"a week", now, day(2026, 12, 10), ""},
		{"3 days sick", now, day(2026, 12, 6), "sick"},
		{"1 month", now, day(2027, 1, 3), ""},
		{"from 2026-12-21 until 2027-01-04 holidays", day(2026, 12, 21), day(2027, 1, 5), "holidays"},
		{"from Dec 21 2 weeks", day(2026, 12, 21), day(2027, 1, 4), ""},
		{"from 2026-12-01 until Dec 10", now, day(2026, 12, 11), ""}, // a start gone by is now
		{"until Feb 29", now, day(2028, 3, 1), ""},                   // the next leap day
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := away.Parse(tt.text, now, berlin)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.text, err)
			}
			if !got.From.Equal(tt.from) || !got.Until.Equal(tt.until) || got.Note != tt.note {
				t.Errorf("Parse(%q) = %v…%v %q, want %v…%v %q", tt.text, got.From, got.Until, got.Note, tt.from, tt.until, tt.note)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", "couldn't read a date"},
		{"until", "couldn't read a date"},
		{"until someday", "couldn't read a date"},
		{"until 2026-13-40", "couldn't read a date"},
		{"until Feb 30 2027", "couldn't read a date"},
		{"soon", "couldn't read a date"},
		{"from someday until Dec 10", "couldn't read a date"},
		{"0 weeks", "couldn't read a date"},
		{"-3 days", "couldn't read a date"},
		{"2 fortnights", "couldn't read a date"},
		{"until 2026-12-01", "in the past"},
		{"until 2026-12-02 vacation", "in the past"},
		{"until 2031-01-01", "more than two years"},
		{"800 weeks", "more than two years"},
		{"from 2027-02-01 until 2027-01-10", "ends before it starts"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := away.Parse(tt.text, now, berlin)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want a refusal", tt.text, got)
			}
			if okrcore.ErrorKindOf(err) != okrcore.KindInvalid || !strings.Contains(okrcore.ErrorMessage(err), tt.want) {
				t.Errorf("Parse(%q) = %v, want an invalid-input refusal saying %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestParseKeepsNotesShort(t *testing.T) {
	got, err := away.Parse("2 weeks "+strings.Repeat("é", 500), now, berlin)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(got.Note)); n != away.MaxNote {
		t.Errorf("note of %d characters, want %d", n, away.MaxNote)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"until 2027-01-10 vacation", "until Dec 20, on vacation", "2 weeks", "from 2026-12-21 until 2027-01-04",
		"until 29 feb", "for a week", "until 1.2.2027", "from from until until", "until jan 99", ",,,", "12 months, é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := away.Parse(text, now, berlin)
		if err != nil {
			if okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
				t.Fatalf("Parse(%q): a refusal of kind %s, want invalid", text, okrcore.ErrorKindOf(err))
			}
			return
		}
		switch {
		case !s.Until.After(now):
			t.Fatalf("Parse(%q) ends at %v, not after now", text, s.Until)
		case !s.Until.After(s.From) || s.From.Before(now):
			t.Fatalf("Parse(%q) = %v…%v: not a span from now on", text, s.From, s.Until)
		case s.Until.Sub(s.From) > away.MaxSpan:
			t.Fatalf("Parse(%q) lasts %v", text, s.Until.Sub(s.From))
		case len([]rune(s.Note)) > away.MaxNote:
			t.Fatalf("Parse(%q): a note of %d characters", text, len([]rune(s.Note)))
		}
		if h, m, _ := s.Until.In(berlin).Clock(); h != 0 || m != 0 {
			t.Fatalf("Parse(%q) ends at %v, not at midnight", text, s.Until)
		}
	})
}
