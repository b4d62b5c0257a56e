package bottest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
)

// StoreOption changes how Store opens its bbolt file, for a test of a given file or durability.
type StoreOption func(*storeConfig)

type storeConfig struct {
	path string
	opts bolt.Options
}

// File opens path instead of a new file, for a generated organisation or a file the program under test uses too.
func File(path string) StoreOption { return func(c *storeConfig) { c.path = path } }

// Fsync turns fsync on commit on, as in production, for benchmarks that measure writes.
//
// It is off by default: tests need no durability, and fsync makes them slow.
func Fsync(on bool) StoreOption { return func(c *storeConfig) { c.opts.NoSync = !on } }

// ExpireBy sets the clock the store expires state entries (dialogs, dedupe ids) by, for a store on a moved clock.
//
// It is the wall clock when nil; a Kit's store expires by the Kit's clock
// unless told otherwise.
func ExpireBy(now func() time.Time) StoreOption { return func(c *storeConfig) { c.opts.Now = now } }

func newStoreConfig(tb testing.TB, opts []StoreOption) storeConfig {
	tb.Helper()
	c := storeConfig{opts: bolt.Options{NoSync: true}}
	for _, o := range opts {
		o(&c)
	}
	if c.path == "" {
		c.path = filepath.Join(tb.TempDir(), "okrbot.db")
	}
	return c
}

// Store opens a bbolt store for one test and closes it at cleanup, so the file is released even if the test fails.
//
// It is a new file in the test's temporary directory unless File says
// otherwise. Closing it earlier is allowed.
func Store(tb testing.TB, opts ...StoreOption) *bolt.DB {
	tb.Helper()
	return open(tb, newStoreConfig(tb, opts))
}

func open(tb testing.TB, c storeConfig) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(c.path, c.opts)
	if err != nil {
		tb.Fatalf("open store %s: %v", c.path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close store %s: %v", c.path, err)
		}
	})
	return db
}

// Read returns what fn reads in one transaction, for the lookups a test makes to check what was stored.
func Read[T any](tb testing.TB, s okrcore.Store, fn func(tx okrcore.Tx) (T, error)) T {
	tb.Helper()
	v, err := okrcore.View(context.Background(), s, fn)
	if err != nil {
		tb.Fatalf("read the store: %v", err)
	}
	return v
}
