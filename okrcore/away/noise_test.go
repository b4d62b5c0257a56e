package away_test

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

func TestStatusAway(t *testing.T) {
	tests := []struct {
		name string
		s    away.Status
		want bool
	}{
		{"palm tree", away.Status{Emoji: ":palm_tree:"}, true},
		{"airplane, expiring later", away.Status{Emoji: ":airplane:", Expires: now.Add(time.Hour)}, true},
		{"sick", away.Status{Emoji: ":face_with_thermometer:", Text: "Feeling rough"}, true},
		{"beach", away.Status{Emoji: ":beach_with_umbrella:"}, true},
		{"text says OOO", away.Status{Emoji: ":speech_balloon:", Text: "OOO until Monday"}, true},
		{"text says out of office", away.Status{Text: "Out of office, back Jan 4"}, true},
		{"text says vacation", away.Status{Text: "On vacation!"}, true},
		{"expired", away.Status{Emoji: ":palm_tree:", Expires: now.Add(-time.Minute)}, false},
		{"in a meeting", away.Status{Emoji: ":spiral_calendar_pad:", Text: "In a meeting"}, false},
		{"commuting", away.Status{Emoji: ":bus:", Text: "Commuting"}, false},
		{"a word inside another", away.Status{Text: "Zoom broom"}, false},
		{"empty", away.Status{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := away.StatusAway(tt.s, now); got != tt.want {
				t.Errorf("StatusAway(%+v) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestRemindedOn(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 3, h, 0, 0, 0, berlin) }
	sent := func(key string, t time.Time) *okrcore.OutboxItem {
		return &okrcore.OutboxItem{Key: key, State: okrcore.OutboxSent, SentAt: t, DueAt: t}
	}
	open := func(key string, t time.Time) *okrcore.OutboxItem {
		return &okrcore.OutboxItem{Key: key, State: okrcore.OutboxPending, DueAt: t}
	}
	tests := []struct {
		name  string
		items []*okrcore.OutboxItem
		want  bool
	}{
		{"none", nil, false},
		{"sent this morning", []*okrcore.OutboxItem{sent("a", at(9))}, true},
		{"sent yesterday", []*okrcore.OutboxItem{sent("a", at(9).AddDate(0, 0, -1))}, false},
		{"pending today", []*okrcore.OutboxItem{open("a", at(17))}, true},
		{"pending tomorrow", []*okrcore.OutboxItem{open("a", at(9).AddDate(0, 0, 1))}, false},
		{"skipped today", []*okrcore.OutboxItem{{Key: "a", State: okrcore.OutboxSkipped, DueAt: at(9)}}, false},
		{"only itself", []*okrcore.OutboxItem{sent("self", at(9))}, false},
		// 00:30 in Berlin is still yesterday in UTC: days are the person's.
		{"the person's own day", []*okrcore.OutboxItem{sent("a", time.Date(2026, 12, 3, 0, 30, 0, 0, berlin))}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := away.RemindedOn(tt.items, "self", at(15), berlin); got != tt.want {
				t.Errorf("RemindedOn = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAwayFor(t *testing.T) {
	week := day(2026, 12, 7) // a Monday
	end := week.AddDate(0, 0, 7)
	tests := []struct {
		name        string
		from, until time.Time
		want        bool
	}{
		{"the whole week", week.AddDate(0, 0, -3), end.AddDate(0, 0, 3), true},
		{"back on Thursday", week.AddDate(0, 0, -3), week.AddDate(0, 0, 3), false},
		{"back on Friday", week.AddDate(0, 0, -3), week.AddDate(0, 0, 4), true},
		{"from Sunday on", end.AddDate(0, 0, -1), end.AddDate(0, 0, 5), true},
		{"the week before", week.AddDate(0, 0, -7), week, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := awayBook(t, tt.from, tt.until)
			if got := b.AwayFor(7, week, end); got != tt.want {
				t.Errorf("AwayFor = %v, want %v", got, tt.want)
			}
		})
	}
}

// awayBook is a book where person 7 is away over [from, until).
func awayBook(t *testing.T, from, until time.Time) *away.Book {
	t.Helper()
	w := newWorldAt(t, from)
	if err := w.k.DB.Update(t.Context(), func(tx okrcore.Tx) error {
		u, err := tx.User(w.ws, 7)
		if err != nil {
			return err
		}
		_, _, err = away.Set(tx, u, nil, func(*okrcore.User) (away.Span, error) { return away.Span{From: from, Until: until}, nil }, from)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return w.book()
}
