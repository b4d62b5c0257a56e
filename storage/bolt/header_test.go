package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
)

// writeSample writes a closed database with n objectives at path.
func writeSample(t testing.TB, path string, n int) {
	t.Helper()
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < n; j += 200 {
		if err := db.Update(context.Background(), func(tx okrcore.Tx) error {
			for i := j; i < min(j+200, n); i++ {
				if err := tx.PutObjective(&okrcore.Objective{Workspace: "w", Cycle: 1, Owner: okrcore.UserOwner(1), Title: fmt.Sprint("objective ", i)}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// damage is one way a database file is spoiled.
type damage struct {
	name string
	do   func(b []byte) []byte
	// says is in the reason given
	says string
	// checkOnly is damage Open cannot see: it reads only the pages the
	// header names (CheckFile reads every page).
	checkOnly bool
}

// flipMeta flips a byte of the checksummed part of meta page i (the root
// page number), as a torn or rotten write would.
func flipMeta(b []byte, i int) []byte {
	ps := int(binary.NativeEndian.Uint32(b[16+8:]))
	b[i*ps+16+16] ^= 0x40
	return b
}

var damages = []damage{
	{"truncated to half", func(b []byte) []byte { return b[:len(b)/2] }, "cut short", false},
	{"truncated to 16 KiB", func(b []byte) []byte { return b[:16<<10] }, "cut short", false},
	{"truncated to 4 KiB", func(b []byte) []byte { return b[:4<<10] }, "cut short", false},
	{"both meta pages flipped", func(b []byte) []byte { return flipMeta(flipMeta(b, 0), 1) }, "neither of its two header pages is valid", false},
	{"random garbage", func(b []byte) []byte {
		r := rand.New(rand.NewPCG(1, 2))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}, "neither of its two header pages is valid", false},
	{"freelist page overwritten", func(b []byte) []byte { return spoilPage(b, "freelist") }, "freelist", false},
	{"root page overwritten", func(b []byte) []byte { return spoilPage(b, "root") }, "root", false},
	{"freelist lists a meta page", func(b []byte) []byte { return freeMetaPage(b) }, "freelist", false},
	{"every other page overwritten", spoilRest, "bbolt", true},
}

// freeMetaPage makes the newest freelist list page 1 as free: a commit
// would write data over a meta page.
func freeMetaPage(b []byte) []byte {
	ps := int(binary.NativeEndian.Uint32(b[16+8:]))
	m := b[16:]
	if t0, t1 := binary.NativeEndian.Uint64(b[16+48:]), binary.NativeEndian.Uint64(b[ps+16+48:]); t1 > t0 {
		m = b[ps+16:]
	}
	p := b[int(binary.NativeEndian.Uint64(m[32:]))*ps:]
	binary.NativeEndian.PutUint16(p[10:], 1) // count
	binary.NativeEndian.PutUint64(p[16:], 1)
	return b
}

// spoilRest zeroes every page but the meta pages, the root and the
// freelist.
func spoilRest(b []byte) []byte {
	ps := int(binary.NativeEndian.Uint32(b[16+8:]))
	keep := map[int]bool{0: true, 1: true}
	for _, off := range []int{16, ps + 16} {
		keep[int(binary.NativeEndian.Uint64(b[off+16:]))] = true
		keep[int(binary.NativeEndian.Uint64(b[off+32:]))] = true
	}
	for id := 0; (id+1)*ps <= len(b); id++ {
		if !keep[id] {
			clear(b[id*ps : (id+1)*ps])
		}
	}
	return b
}

// spoilPage zeroes the freelist or root page the newest meta page names.
func spoilPage(b []byte, which string) []byte {
	ps := int(binary.NativeEndian.Uint32(b[16+8:]))
	m := b[16:]
	if t0, t1 := binary.NativeEndian.Uint64(b[16+48:]), binary.NativeEndian.Uint64(b[ps+16+48:]); t1 > t0 {
		m = b[ps+16:]
	}
	id := binary.NativeEndian.Uint64(m[16:]) // root
	if which == "freelist" {
		id = binary.NativeEndian.Uint64(m[32:])
	}
	clear(b[int(id)*ps : int(id+1)*ps])
	return b
}

// TestOpenDamagedFile: a damaged file is refused by Open and CheckFile
// with a reason, without a panic or a fault, and is not modified; a file
// with one good and one bad meta page opens, as bbolt allows.
func TestOpenDamagedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	writeSample(t, good, 1000)
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "okrbot.db")
			spoilt := d.do(bytes.Clone(orig))
			if err := os.WriteFile(path, spoilt, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, op := range []struct {
				name string
				f    func() error
			}{
				{"Open", func() error {
					db, err := Open(path, Options{})
					if err == nil {
						db.Close()
					}
					return err
				}},
				{"CheckFile", func() error { return CheckFile(path) }},
			} {
				if d.checkOnly && op.name == "Open" {
					continue
				}
				err := op.f()
				if err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), d.says) || !strings.Contains(err.Error(), path) {
					t.Errorf("%s: %v, want the file named as damaged: …%s…", op.name, err, d.says)
				}
				if now, _ := os.ReadFile(path); !bytes.Equal(now, spoilt) {
					t.Errorf("%s modified the file", op.name)
				}
			}
		})
	}
	for i := range 2 {
		t.Run(fmt.Sprint("meta page ", i, " flipped"), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "okrbot.db")
			if err := os.WriteFile(path, flipMeta(bytes.Clone(orig), i), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := CheckFile(path); err != nil {
				t.Errorf("CheckFile: %v", err)
			}
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer db.Close()
			n, err := okrcore.View(context.Background(), db, func(tx okrcore.Tx) (int, error) {
				obs, err := tx.ObjectivesByCycle("w", 1)
				return len(obs), err
			})
			// The other meta page is the last commit or the one before it
			// (then the last one, a torn write, is lost, as bbolt means).
			if err != nil || (n != 1000 && n != 800) {
				t.Errorf("objectives after a flipped meta page: %d %v, want the last commit's 1000 or the one before's 800", n, err)
			}
		})
	}
}

// TestPanicWhileOpeningIsDamage: a panic while the file is opened (bbolt's,
// on a page the header check cannot vouch for; here a migration's) is
// reported as a damaged file, and the file's lock is released.
func TestPanicWhileOpeningIsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	writeSample(t, path, 10)
	boom := append(append([]migration(nil), migrations...), func(*bbolt.Tx) error { panic("page 7: invalid type") })
	_, err := openWith(path, Options{}, boom)
	var de *DamagedError
	if !errors.As(err, &de) || !errors.Is(err, ErrDamaged) || de.Path != path || !strings.Contains(de.Reason, "page 7: invalid type") {
		t.Fatalf("open with a panic: %v", err)
	}
	db, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	db.Close()
}

// TestReadOnlyOpen: a database opened read-only is read and backed up as
// it is, shares its lock with other readers but not with a writer, does
// not upgrade an older schema, and refuses writes.
func TestReadOnlyOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "okrbot.db")
	writeSample(t, path, 10)
	before, _ := os.ReadFile(path)
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("a second reader: %v", err)
	}
	second.Close()
	if _, err := Open(path, Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("a writer beside a reader: %v", err)
	}
	if held, err := Locked(path, 100*time.Millisecond); held || err != nil {
		t.Errorf("Locked beside a reader: %v %v", held, err)
	}
	out := filepath.Join(dir, "copy.db")
	if _, err := ro.BackupToFile(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if err := ro.Update(context.Background(), func(tx okrcore.Tx) error {
		return tx.PutState("w", "k", []byte("v"), time.Time{})
	}); err == nil {
		t.Error("a read-only database took a write")
	}
	ro.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("opening read-only changed the file")
	}
	if err := CheckFile(out); err != nil {
		t.Errorf("the copy: %v", err)
	}

	old := filepath.Join(dir, "v1.db")
	writeV1(t, old)
	db, err := Open(old, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of a version 1 database: %v", err)
	}
	db.Close()
	if v := fileVersion(t, old); v != 1 {
		t.Errorf("read-only open upgraded the schema to %d", v)
	}
}

// TestLocked: Locked sees a writer holding the file, damaged or not, and
// answers for a file that is missing, empty or damaged.
func TestLocked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "okrbot.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if held, err := Locked(path, 50*time.Millisecond); !held || err != nil {
		t.Errorf("held by a writer: %v %v", held, err)
	}
	db.Close()
	if held, err := Locked(path, 50*time.Millisecond); held || err != nil {
		t.Errorf("after close: %v %v", held, err)
	}
	b, _ := os.ReadFile(path)
	damaged := filepath.Join(dir, "damaged.db")
	os.WriteFile(damaged, b[:4096], 0o600)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	for _, p := range []string{damaged, empty, filepath.Join(dir, "missing.db")} {
		if held, err := Locked(p, 50*time.Millisecond); held || err != nil {
			t.Errorf("%s: %v %v", filepath.Base(p), held, err)
		}
	}
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Error("Locked wrote into an empty file")
	}
	if err := CheckFile(empty); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), empty) {
		t.Errorf("CheckFile of an empty file: %v", err)
	}
}

// TestDamageOfAHeldFileIsLocked: a file another process holds may be in
// the middle of a commit when its header is read, so what looks like
// damage is the lock until the holder lets go; then it is damage.
func TestDamageOfAHeldFileIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "okrbot.db")
	writeSample(t, path, 1000)
	held, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 16<<10); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path, Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("Open of a held file that looks cut short: %v", err)
	}
	if err := CheckFile(path); !errors.Is(err, ErrLocked) {
		t.Errorf("CheckFile of a held file that looks cut short: %v", err)
	}
	held.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrDamaged) {
		t.Errorf("Open once it is let go: %v", err)
	}
}
