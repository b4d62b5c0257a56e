package away_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
)

// BenchmarkHold is what the dispatcher asks before each nudge (outbox
// hold.go), on the real bbolt store, with 0, 100 and 1,000 people away (a
// holiday season of a large organisation): the person's own slot and the
// settings', and for a reminder the look-ups of the day's other reminder
// by key. Its cost must not grow with the people away; when it read the
// whole book it took 1.5 ms with 100 away and 4.6 ms with 1,000.
//
//	go test ./okrcore/away -run XXX -bench Hold -benchtime 2000x
func BenchmarkHold(b *testing.B) {
	for _, n := range []int{0, 100, 1000} {
		b.Run(fmt.Sprintf("away=%d", n), func(b *testing.B) {
			k := bottest.New(b, bottest.Demo(), bottest.Start(now))
			if err := k.DB.Update(b.Context(), func(tx okrcore.Tx) error {
				admin, err := tx.UserByPlatform("local", "shell", "dana")
				if err != nil {
					return err
				}
				// Made-up people: the book names them by ID alone.
				for i := range n {
					who := func() (okrcore.ID, error) { return okrcore.ID(10_000 + i), nil }
					if err := tx.PutUser(&okrcore.User{ID: okrcore.ID(10_000 + i), Workspace: "local", Platform: "shell", PlatformID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("p%d", i), Role: okrcore.RoleMember}); err != nil {
						return err
					}
					if _, _, err := away.Set(tx, admin, who, func(*okrcore.User) (away.Span, error) {
						return away.Span{From: now, Until: now.Add(14 * 24 * time.Hour), Note: "holidays"}, nil
					}, now); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			bob := okrcore.ID(0)
			_ = k.DB.View(b.Context(), func(tx okrcore.Tx) error {
				u, err := tx.UserByPlatform("local", "shell", "bob")
				if err == nil {
					bob = u.ID
				}
				return err
			})
			it := &okrcore.OutboxItem{Workspace: "local", Kind: okrcore.OutboxReminder, User: bob, Period: "2026-W49", DueAt: now, Key: away.ReminderKey(bob, "2026-W49")}
			b.ResetTimer()
			for b.Loop() {
				if err := k.DB.View(b.Context(), func(tx okrcore.Tx) error {
					h, err := away.Hold(tx, it, nil, now, berlin)
					if h.Reason != "" {
						b.Fatalf("held: %s", h.Reason)
					}
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
