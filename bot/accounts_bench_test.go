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
// Teams account in the 10,000-person organisation: it is matched against
// everyone's verified address (a scan of the users, once per new account)
// and either joins its person or becomes a new one.
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
