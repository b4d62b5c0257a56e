package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// BenchmarkFirstContactOnSecondPlatform measures the first event of a new
// Teams account in the 10,000-person organisation: its verified address is
// looked up in the index of addresses, and it either joins its person or
// becomes a new one. late=true is an account met without a verified
// address whose next event brings one: both events are measured, the
// second folding the account into its person.
//
// Each join gives a person a Teams account, so run it once per binary
// (-count 1): a second round finds the people joined.
func BenchmarkFirstContactOnSecondPlatform(b *testing.B) {
	org, e := benchOrg(b)
	ctx := context.Background()
	var users []*okrcore.User
	err := bench.db.Update(ctx, func(tx okrcore.Tx) error {
		var err error
		if users, err = tx.Users(org.Workspace); err != nil {
			return err
		}
		for _, u := range users {
			if !u.EmailVerified && u.Email != "" {
				u.EmailVerified = true
				if err := tx.PutUser(u); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("late=true", func(b *testing.B) {
		bench.logNote(b)
		i := 0
		for b.Loop() {
			bench.seq++
			u := users[(len(users)/4+i)%len(users)]
			i++
			ev := chat.Event{Kind: chat.EventMessage, Platform: "teams", Workspace: org.Workspace, UserID: fmt.Sprintf("aad-%d", bench.seq),
				UserName: "Someone", Email: u.Email, Text: "whoami", Conversation: chat.Conversation{ID: fmt.Sprintf("a:%d", bench.seq), Direct: true}}
			if m, ok := e.Process(ctx, ev); !ok || strings.Contains(m.Text, "You use okrbot on") {
				b.Fatalf("an unverified address joined: %v %s", ok, m.Text)
			}
			ev.EmailVerified = true
			if m, ok := e.Process(ctx, ev); !ok || !strings.Contains(m.Text, "You use okrbot on") {
				b.Fatalf("the verified address did not join: %v %s", ok, m.Text)
			}
		}
	})
	for _, join := range []bool{true, false} {
		b.Run(fmt.Sprintf("joins=%v", join), func(b *testing.B) {
			bench.logNote(b)
			i := 0
			for b.Loop() {
				bench.seq++
				u := users[(len(users)/2+i)%len(users)]
				i++
				email := u.Email
				if !join {
					email = fmt.Sprintf("stranger%d@elsewhere.example", bench.seq)
				}
				ev := chat.Event{Kind: chat.EventMessage, Platform: "teams", Workspace: org.Workspace, UserID: fmt.Sprintf("aad-%d", bench.seq),
					UserName: "Someone", Email: email, EmailVerified: true, Text: "whoami",
					Conversation: chat.Conversation{ID: fmt.Sprintf("a:%d", bench.seq), Direct: true}}
				m, ok := e.Process(ctx, ev)
				if !ok {
					b.Fatal("no answer")
				}
				if joined := strings.Contains(m.Text, "You use okrbot on"); joined != join {
					b.Fatalf("joined %v, want %v: %s", joined, join, m.Text)
				}
			}
		})
	}
}

// BenchmarkReadAnswerPath measures what a read's answer waits for in the
// 10,000-person organisation, on a store with fsync: `/okr mine` of a
// person okrbot knows (no write before the answer: its dedupe mark is
// written after it), of a Slack account met for the first time whose
// verified address joins it to its person (its account is stored after
// the answer: people.Expected), of a new person (their account's durable
// write comes before the answer), and the inbox record that every read waited
// for before its acknowledgement until reads were no longer kept (one
// durable write).
func BenchmarkReadAnswerPath(b *testing.B) {
	org, e := benchOrg(b)
	ctx := context.Background()
	var users []*okrcore.User
	// Everyone's address verified, as okrload's first contact has it.
	err := bench.db.Update(ctx, func(tx okrcore.Tx) (err error) {
		if users, err = tx.Users(org.Workspace); err != nil {
			return err
		}
		for _, u := range users {
			if !u.EmailVerified && u.Email != "" {
				u.EmailVerified = true
				if err := tx.PutUser(u); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	mine := func(user string) chat.Event {
		bench.seq++
		ev := benchEvent(org, user, chat.EventCommand, "mine")
		ev.ID = fmt.Sprintf("read-%d", bench.seq)
		return ev
	}
	b.Run("known", func(b *testing.B) {
		bench.logNote(b)
		u := users[len(users)/3]
		for b.Loop() {
			if _, ok := e.Process(ctx, mine(u.PlatformID)); !ok {
				b.Fatal("no answer")
			}
		}
		e.Wait()
	})
	// A first contact joins a person with no Slack account yet, so each
	// iteration (and each -count round) takes the next person; new-person
	// is an address nobody has.
	for _, join := range []bool{true, false} {
		name := map[bool]string{true: "first-contact", false: "new-person"}[join]
		b.Run(name, func(b *testing.B) {
			bench.logNote(b)
			for b.Loop() {
				ev := mine("")
				u := users[(len(users)/3+bench.seq)%len(users)]
				ev.UserID, ev.Platform, ev.UserName, ev.Email, ev.EmailVerified = fmt.Sprintf("UFIRST%d", bench.seq), "slack", u.Name, u.Email, true
				if !join {
					ev.Email = fmt.Sprintf("new%d@elsewhere.example", bench.seq)
				}
				if _, ok := e.Process(ctx, ev); !ok {
					b.Fatal("no answer")
				}
			}
			e.Wait()
		})
	}
	b.Run("inbox-record", func(b *testing.B) {
		bench.logNote(b)
		in := e.NewInbox()
		for b.Loop() {
			ev := benchEvent(org, users[0].PlatformID, chat.EventMessage, "KR1 40")
			bench.seq++
			ev.ID = fmt.Sprintf("kept-%d", bench.seq)
			if err := in.Record(ctx, ev); err != nil {
				b.Fatal(err)
			}
			if err := in.Done(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
