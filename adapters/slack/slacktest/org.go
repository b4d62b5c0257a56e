package slacktest

import (
	"context"
	"fmt"
	"slices"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// Platform is Slack's platform name in the store (the adapter's).
const Platform = "slack"

// MoveToSlack makes every person of a generated workspace a Slack user,
// keeping their platform ids (u1…uN), so that the engine resolves their
// events as it would in production instead of meeting new people.
func MoveToSlack(ctx context.Context, s okrcore.Store, ws string) error {
	users, err := okrcore.View(ctx, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.Users(ws) })
	if err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	for batch := range slices.Chunk(users, 2000) {
		err := s.Update(ctx, func(tx okrcore.Tx) error {
			for _, u := range batch {
				c := *u
				c.Platform = Platform
				if err := tx.PutUser(&c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("make people Slack users: %w", err)
		}
	}
	return s.View(ctx, func(tx okrcore.Tx) error {
		if len(users) == 0 {
			return nil
		}
		if _, err := tx.UserByPlatform(ws, storagetest.BenchPlatform, users[0].PlatformID); !okrcore.IsNotFound(err) {
			return fmt.Errorf("%s is still a bench user: %v", users[0].PlatformID, err)
		}
		return nil
	})
}

// AddPeople tells the fake about every person of a workspace, with the
// profile the store has (so that users.info changes nothing), their
// address confirmed, and returns them.
func AddPeople(ctx context.Context, s okrcore.Store, ws string, f *Fake) ([]*okrcore.User, error) {
	users, err := okrcore.View(ctx, s, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.Users(ws) })
	if err != nil {
		return nil, fmt.Errorf("read people: %w", err)
	}
	for _, u := range users {
		f.AddUser(User{ID: u.PlatformID, Name: u.Name, Display: u.Name, Email: u.Email, TZ: u.TimeZone})
	}
	return users, nil
}
