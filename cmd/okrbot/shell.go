package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/demo"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// The terminal chat's wiring beyond runShell: the demo, who is known, the
// demo clock and where the log goes.

// shellWorkspace is where the terminal chat's events are filed: the
// engine files every event under --workspace when it is set.
func shellWorkspace(cfg *config) string {
	if cfg.workspace != "" {
		return cfg.workspace
	}
	return shell.Workspace
}

// seedDemo seeds the demo organisation for --demo and says what it did:
// --demo on a database that already has people seeds nothing, and says so
// in one line rather than being silently ignored.
func seedDemo(ctx context.Context, db okrcore.Store, cfg *config, now time.Time, stdout io.Writer) error {
	seeded, err := demo.Seed(ctx, db, shellWorkspace(cfg), shell.Platform, now)
	if err != nil {
		return err
	}
	if seeded {
		fmt.Fprintf(stdout, "Seeded a demo organisation into %s: teams Leadership, Sales, Engineering and Customer Success.\n", databaseName(cfg.db))
		return nil
	}
	fmt.Fprintf(stdout, "--demo added nothing: %s already has people in it, and the demo goes only into an empty database; for a fresh demo, name a new file: --db demo.db\n", databaseName(cfg.db))
	return nil
}

// knownIn reports whether the terminal chat has someone of that name in
// ws, for `/as NAME` to ask before becoming a new person. An error of the
// store counts as known: the question is a courtesy, never a wall.
func knownIn(db okrcore.Store, ws string) func(ctx context.Context, name string) bool {
	return func(ctx context.Context, name string) bool {
		known := true
		_ = db.View(ctx, func(tx okrcore.Tx) error {
			_, err := tx.UserByPlatform(ws, shell.Platform, strings.ToLower(name))
			known = !okrcore.IsNotFound(err)
			return nil
		})
		return known
	}
}

// clockCommand is `/clock` on a demo clock (--clock). A jump is not
// downtime: the scheduler runs over every window it passes
// (schedule.Advance), so each nudge, reminder and digest falls due at its
// own time and is sent in order, and none is skipped as too old.
func clockCommand(mc *manualClock, sched *schedule.Scheduler, disp *outbox.Dispatcher, log *slog.Logger) func(context.Context, string) string {
	return func(ctx context.Context, args string) string {
		to, err := mc.target(args)
		if err != nil {
			return err.Error() + "\n"
		}
		st, err := sched.Advance(ctx, to, mc.setTo, func(ctx context.Context) {
			if err := disp.Drain(ctx); err != nil {
				log.Error("send scheduled messages", "err", err)
			}
		})
		now := "It is now " + mc.Now().Format("Mon 2006-01-02 15:04 MST") + ". "
		if err != nil {
			log.Error("scheduled work", "err", err)
			return now + "Scheduled work failed; see the log.\n"
		}
		return now + fmt.Sprintf("(%d scheduled)\n", st.Enqueued)
	}
}

// fileLogger is the terminal chat's logger when the chat and the log would
// share one terminal: the log goes to DB.log beside the database, so that
// its lines never fall between the chat's messages.
func fileLogger(cfg *config) (*slog.Logger, func(), string, error) {
	path := cfg.db + ".log"
	if isServer(cfg.db) {
		// A database URL is no place for a file (and holds the password).
		path = "okrbot.log"
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, "", err
	}
	return newLogger(cfg, f), func() { _ = f.Close() }, path, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// databaseName is the database for a message: a file's path as given, a
// server's URL without its password (in the user part or the query).
func databaseName(setting string) string {
	if !isServer(setting) {
		return setting
	}
	u, err := url.Parse(setting)
	if err != nil {
		return "the PostgreSQL database"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery = ""
	return u.String()
}
