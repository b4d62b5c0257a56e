package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// writeTrustDB writes a closed database with n objectives at path: large
// enough (several MB) that a copy cut in half or to 16 KiB made bbolt read
// past the end of the file and fault.
func writeTrustDB(t *testing.T, path string, n int) {
	t.Helper()
	db := bottest.Store(t, bottest.File(path))
	for j := 0; j < n; j += 500 {
		if err := db.Update(context.Background(), func(tx okrcore.Tx) error {
			for i := j; i < min(j+500, n); i++ {
				o := &okrcore.Objective{Workspace: "w", Cycle: 1, Owner: okrcore.UserOwner(1), Title: fmt.Sprint("objective ", i)}
				if err := tx.PutObjective(o); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil { // the tests damage a closed file
		t.Fatal(err)
	}
}

// flipMetaByte flips a checksummed byte (the root page number) of meta
// page i of a bbolt file.
func flipMetaByte(b []byte, i int) []byte {
	ps := int(binary.NativeEndian.Uint32(b[16+8:]))
	b[i*ps+16+16] ^= 0x40
	return b
}

var trustDamages = []struct {
	name  string
	spoil func([]byte) []byte
	says  string
}{
	{"truncated to half", func(b []byte) []byte { return b[:len(b)/2] }, "it was cut short"},
	{"truncated to 16 KiB", func(b []byte) []byte { return b[:16<<10] }, "it was cut short"},
	{"truncated to 4 KiB", func(b []byte) []byte { return b[:4<<10] }, "it was cut short"},
	{"a flipped byte in both meta pages", func(b []byte) []byte { return flipMetaByte(flipMetaByte(b, 0), 1) }, "neither of its two header pages is valid"},
	{"random garbage", func(b []byte) []byte {
		r := rand.New(rand.NewPCG(7, 7))
		for i := range b[:min(len(b), 1<<20)] {
			b[i] = byte(r.Uint32())
		}
		return b[:min(len(b), 1<<20)]
	}, "neither of its two header pages is valid"},
}

// trustRun runs the okrbot binary with only the environment given and
// returns its exit code and standard error.
func trustRun(t *testing.T, bin string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Stdin = strings.NewReader("")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, errOut.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), errOut.String()
	}
	t.Fatalf("run %v: %v", args, err)
	return 0, ""
}

// TestDamagedDatabaseIsRefused: every command refuses a damaged database
// in one line naming the file, the reason and the ways out, exits 1 and
// leaves the file as it was; restore is the way out and replaces it,
// keeping the damaged file. The real binary runs: a fault of bbolt on a
// file cut short (SIGSEGV) cannot be recovered inside a test.
func TestDamagedDatabaseIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds okrbot")
	}
	bin := buildOkrbot(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	writeTrustDB(t, good, 20000)
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	slack := []string{"SLACK_BOT_TOKEN=xoxb-1", "SLACK_SIGNING_SECRET=s"}
	for _, d := range trustDamages {
		t.Run(d.name, func(t *testing.T) {
			tmp := t.TempDir()
			path := filepath.Join(tmp, "okrbot.db")
			spoilt := d.spoil(bytes.Clone(orig))
			if err := os.WriteFile(path, spoilt, 0o600); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(tmp, "target.db")
			if err := os.WriteFile(target, orig, 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(tmp, "out.db")
			damaged := "the database " + path + " is damaged: "
			for _, c := range []struct {
				name string
				env  []string
				args []string
				want []string
			}{
				{"shell", nil, []string{"--db", path, "--schedule", "off"}, []string{damaged, "okrbot check " + path, "okrbot restore"}},
				{"serve", slack, []string{"serve", "--db", path, "--addr", "127.0.0.1:0"}, []string{damaged, "okrbot check " + path, "okrbot restore"}},
				{"check", nil, []string{"check", path}, []string{path + " is damaged: ", "okrbot restore"}},
				{"backup", nil, []string{"backup", out, "--db", path}, []string{damaged, "okrbot check " + path, "okrbot restore"}},
				{"restore from it", nil, []string{"restore", path, "--db", target}, []string{"the backup " + path + " is damaged: ", "nothing was changed", "okrbot check"}},
			} {
				code, stderr := trustRun(t, bin, c.env, c.args...)
				if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "okrbot: ") || !strings.Contains(stderr, d.says) {
					t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line saying %q", c.name, code, stderr, d.says)
					continue
				}
				for _, w := range c.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("%s: %q lacks %q", c.name, stderr, w)
					}
				}
				if now, _ := os.ReadFile(path); !bytes.Equal(now, spoilt) {
					t.Fatalf("%s modified the damaged file", c.name)
				}
			}
			if now, _ := os.ReadFile(target); !bytes.Equal(now, orig) {
				t.Error("restoring the damaged file changed the target")
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("backup of the damaged file wrote one")
			}
			// The way out: restore a backup over the damaged database.
			if code, stderr := trustRun(t, bin, nil, "restore", good, "--db", path); code != 0 {
				t.Fatalf("restore over the damaged database: exit %d, %q", code, stderr)
			}
			if kept, _ := os.ReadFile(path + ".before-restore"); !bytes.Equal(kept, spoilt) {
				t.Error("the damaged database was not kept beside the restored one")
			}
			if code, stderr := trustRun(t, bin, nil, "check", path); code != 0 {
				t.Errorf("check after restore: exit %d, %q", code, stderr)
			}
		})
	}
}

// TestOneBadMetaPageStillOpens: bbolt keeps two meta pages so that one
// spoilt by a torn write is survived; okrbot opens such a file too.
func TestOneBadMetaPageStillOpens(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"--demo", "--db", good}, strings.NewReader(""), io.Discard, io.Discard, noEnv); code != 0 {
		t.Fatal("seed failed")
	}
	orig, _ := os.ReadFile(good)
	for i := range 2 {
		path := filepath.Join(dir, fmt.Sprintf("meta%d.db", i))
		os.WriteFile(path, flipMetaByte(bytes.Clone(orig), i), 0o600)
		out.Reset()
		var errOut bytes.Buffer
		if code := run(context.Background(), []string{"check", path}, nil, &out, &errOut, noEnv); code != 0 || !strings.Contains(out.String(), "healthy") {
			t.Errorf("meta page %d spoilt: check exit %d, %q %q", i, code, out.String(), errOut.String())
		}
		out.Reset()
		errOut.Reset()
		if code := run(context.Background(), []string{"--db", path, "--as", "alice"}, strings.NewReader("mine\n"), &out, &errOut, noEnv); code != 0 || !strings.Contains(out.String(), "KR") {
			t.Errorf("meta page %d spoilt: shell exit %d, stdout %q, stderr %q", i, code, out.String(), errOut.String())
		}
	}
}

// TestEmptyDatabaseFileIsRefused: an existing database file of 0 bytes is
// not a new workspace unless --init (OKRBOT_INIT, init:) says so; every
// command says what it is, and the file stays empty. A path that does not
// exist still starts a new database.
func TestEmptyDatabaseFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "okrbot.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	slack := map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	out := filepath.Join(dir, "out.db")
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"shell", nil, []string{"--db", path}, []string{"the database " + path + " is an empty file", "--init", "OKRBOT_INIT=true", "init: true", "okrbot restore"}},
		{"serve", slack, []string{"serve", "--db", path, "--addr", "127.0.0.1:0"}, []string{"the database " + path + " is an empty file", "--init"}},
		{"check", nil, []string{"check", path}, []string{path + " is empty: it holds no database", "--init"}},
		{"backup", nil, []string{"backup", out, "--db", path}, []string{"the database " + path + " is empty: there is nothing to back up"}},
		{"restore from it", nil, []string{"restore", path, "--db", filepath.Join(dir, "other.db")}, []string{"the backup " + path + " is empty", "nothing was changed"}},
		{"OKRBOT_INIT not a bool", map[string]string{"OKRBOT_INIT": "yes please"}, []string{"--db", path}, []string{`OKRBOT_INIT "yes please" is not true or false`}},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), c.args, strings.NewReader("mine\n"), &stdout, &stderr, envOf(c.env))
		msg := stderr.String()
		if code == 0 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "okrbot: ") {
			t.Errorf("%s: exit %d, stderr %q: want one line and a failure", c.name, code, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q lacks %q", c.name, msg, w)
			}
		}
		if st, err := os.Stat(path); err != nil || st.Size() != 0 {
			t.Fatalf("%s wrote into the empty file", c.name)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("backup of an empty file wrote one")
	}

	cfgFile := filepath.Join(dir, "okrbot.yaml")
	os.WriteFile(cfgFile, []byte("init: true\n"), 0o600)
	for i, c := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"--init"}},
		{map[string]string{"OKRBOT_INIT": "true"}, nil},
		{nil, []string{"--config", cfgFile}},
		{nil, nil}, // a path that does not exist
	} {
		db := filepath.Join(dir, fmt.Sprintf("new%d.db", i))
		if c.args != nil || c.env != nil {
			os.WriteFile(db, nil, 0o600)
		}
		var stdout, stderr bytes.Buffer
		args := append([]string{"--db", db, "--as", "alice"}, c.args...)
		if code := run(context.Background(), args, strings.NewReader("whoami\n"), &stdout, &stderr, envOf(c.env)); code != 0 {
			t.Errorf("%v %v: exit %d, %q", c.env, c.args, code, stderr.String())
			continue
		}
		if err := checkFile(db); err != nil {
			t.Errorf("%v %v: the new database: %v", c.env, c.args, err)
		}
	}
}
