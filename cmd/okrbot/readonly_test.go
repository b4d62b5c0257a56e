package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupOfReadOnlyDatabase: okrbot backup and okrbot check work on a
// database okrbot may only read (a read-only mount, a file without write
// permission), and leave it as it was. As root, who may write any file,
// the database's directory is mounted read-only in a mount namespace of
// the test's own (unshare), where the real binary runs; elsewhere the
// file and its directory lose their write permission.
func TestBackupOfReadOnlyDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "okrbot.db")
	if code := run(context.Background(), []string{"--demo", "--db", db}, strings.NewReader(""), io.Discard, io.Discard, noEnv); code != 0 {
		t.Fatal("seed failed")
	}
	orig, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if os.Geteuid() == 0 {
		backupReadOnlyMount(t, dir, db, out)
	} else {
		os.Chmod(db, 0o400)
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		for _, args := range [][]string{{"backup", out, "--db", db}, {"check", db}} {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, nil, &stdout, &stderr, noEnv); code != 0 {
				t.Errorf("%s of a read-only database: exit %d, %q", args[0], code, stderr.String())
			}
		}
	}
	if now, _ := os.ReadFile(db); !bytes.Equal(now, orig) {
		t.Error("the read-only database was changed")
	}
	if err := checkFile(out); err != nil {
		t.Fatalf("the copy: %v", err)
	}
	var stdout bytes.Buffer
	run(context.Background(), []string{"--db", out, "--as", "alice"}, strings.NewReader("show KR4\n"), &stdout, io.Discard, noEnv)
	if !strings.Contains(stdout.String(), "KR4") {
		t.Errorf("the copy does not hold the demo:\n%s", stdout.String())
	}
}

// backupReadOnlyMount runs okrbot backup and check on db with dir mounted
// read-only over itself, in a private mount namespace.
func backupReadOnlyMount(t *testing.T, dir, db, out string) {
	t.Helper()
	probe := exec.Command("unshare", "-m", "sh", "-c", `mount --bind -o ro "$1" "$1" && ! touch "$1/probe" 2>/dev/null`, "sh", dir)
	if b, err := probe.CombinedOutput(); err != nil {
		t.Skipf("cannot mount a directory read-only here (unshare -m, mount --bind -o ro): %v %s", err, b)
	}
	bin := buildOkrbot(t)
	script := `mount --bind -o ro "$1" "$1" && "$2" backup "$3" --db "$4" && "$2" check "$4"`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script, "sh", dir, bin, out, db)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("backup and check on a read-only mount: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "Backed up "+db) || !strings.Contains(string(b), "healthy") {
		t.Errorf("backup and check on a read-only mount said:\n%s", b)
	}
}
