package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/okrbot/okrbot/report/tally"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// logged sends the message of every record at info or above.
type logged chan string

func (l logged) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelInfo }
func (l logged) Handle(_ context.Context, r slog.Record) error { l <- r.Message; return nil }
func (l logged) WithAttrs([]slog.Attr) slog.Handler            { return l }
func (l logged) WithGroup(string) slog.Handler                 { return l }

// TestKeepTallyAtStart: serve's keepTally builds every block of a store
// written without the tally (as one from before it is), says so in the
// log, and stops when its context ends.
func TestKeepTallyAtStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "okr.db"), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := storagetest.GenerateOrg(ctx, db, storagetest.OrgSpec{Users: 700, Teams: 30, Objectives: 200, KeyResults: 600, CheckInsPerKR: 2}); err != nil {
		t.Fatal(err)
	}
	log := make(logged, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		keepTally(ctx, db, time.Hour, slog.New(log))
	}()
	if msg := <-log; msg != "check-in tally built" {
		t.Errorf("keepTally logged %q first", msg)
	}
	cancel()
	<-done
	if f, err := tally.FillEveryone(context.Background(), db); err != nil || f.Missing != 0 || f.People < 700 {
		t.Errorf("after keepTally: %+v, %v; want every block of the 700 people built", f, err)
	}
}
