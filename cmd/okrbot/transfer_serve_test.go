package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/storage/bolt"
)

// TestImportAndExportThroughServe runs okrbot serve on an empty database
// and moves the demo organisation in and out through its control socket:
// the running okrbot does the work, and its export is the one it was
// given, byte for byte.
func TestImportAndExportThroughServe(t *testing.T) {
	dir := t.TempDir()
	want := exportOf(t, demoDB(t))
	file := writeFile(t, dir, "demo.json", want)
	db := filepath.Join(dir, "okrbot.db")
	slack := newOrgSlack(t)
	env := map[string]string{"SLACK_BOT_TOKEN": orgSlackTk, "SLACK_SIGNING_SECRET": orgSecret, "SLACK_API_URL": slack.srv.URL + "/api/"}
	s := startOrgServe(t, []string{"serve", "--db", db, "--log-level", "info"}, env)

	// A spreadsheet says nothing of a workspace: without one it is
	// refused in one line, and nothing is written.
	sheet := writeFile(t, dir, "okrs.csv", []byte("Id,Title,Owner\n1,Grow,alice@example.com\n"))
	code, _, stderr := okrbotRun(t, env, "import", sheet, "--db", db)
	if code != 1 || !strings.Contains(stderr, "say which to create with --workspace ID (the id /okr whoami shows in Slack)") {
		t.Fatalf("import without a workspace: exit %d, stderr %q", code, stderr)
	}
	oneLineRefusal(t, stderr)

	// The export goes back into the workspace it came from.
	args := []string{"import", file, "--db", db}
	code, dry, stderr := okrbotRun(t, env, append(args, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run through serve: exit %d: %s", code, stderr)
	}
	if code, _, stderr := okrbotRun(t, env, "export", "-", "--db", db); code != 1 || !strings.Contains(stderr, "holds no workspace") {
		t.Errorf("after a dry run, export said %d %q; want no workspace", code, stderr)
	}
	code, first, stderr := okrbotRun(t, env, args...)
	if code != 0 {
		t.Fatalf("import through serve: exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(first, "Reading "+file+": an okrbot export (format okrbot, found from its content).\n") {
		t.Errorf("the first line does not say the format:\n%s", first)
	}
	if !strings.Contains(dry, "Dry run: nothing was written.") || !slices.Equal(countLines(dry), countLines(first)) || len(countLines(first)) == 0 {
		t.Errorf("the dry run said\n%s\nthe import\n%s", dry, first)
	}
	code, got, stderr := okrbotRun(t, env, "export", "-", "--db", db)
	if code != 0 {
		t.Fatalf("export through serve: exit %d: %s", code, stderr)
	}
	if got != string(want) {
		t.Errorf("the export through serve differs from the file imported (%d and %d bytes)", len(got), len(want))
	}
	code, again, stderr := okrbotRun(t, env, args...)
	if code != 0 {
		t.Fatalf("second import through serve: exit %d: %s", code, stderr)
	}
	checkNothingChanged(t, again)
	if !strings.Contains(s.log.String(), "import over control socket") {
		t.Errorf("the imports did not go through the running okrbot:\n%s", s.log.String())
	}
	s.stop(t)
	if got := exportOf(t, db); !bytes.Equal(got, want) {
		t.Errorf("after serve stopped, the database's export differs from the file imported")
	}
}

// TestControlTransferRefusals sends what a broken or foreign client might
// to the control socket: each is answered with a reason, and nothing is
// written.
func TestControlTransferRefusals(t *testing.T) {
	tests := []struct {
		name   string
		send   string
		answer string
	}{
		{"request not JSON", "import {nope\n", "ERR the request could not be read"},
		{"negative size", `import {"format":"okrbot","size":-5}` + "\n", "ERR the request could not be read"},
		{"over its own limit", `import {"format":"csv","size":500,"max_bytes":100}` + "\n", "fail the file is 500 bytes, over the import limit of 100 bytes; nothing was imported"},
		{"cut short", `import {"format":"csv","name":"a.csv","size":100}` + "\nId,Title\n", "fail the file was cut short on its way to the running okrbot (9 of 100 bytes came); nothing was imported"},
		{"unknown format", `import {"format":"pdf","name":"a.pdf","size":3,"platform":"shell"}` + "\nabc", `ERR the running okrbot does not know the format "pdf"`},
		{"export as xml", `export {"format":"xml"}` + "\n", `ERR the running okrbot does not know the format "xml"`},
		{"refused file", `import {"format":"okrbot","name":"a.json","size":7,"platform":"shell"}` + "\n{oops}\n", "fail a.json: "},
		{"export of nothing", `export {"format":"json"}` + "\n", "fail the database holds no workspace: there is nothing to export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			store, err := bolt.Open(filepath.Join(dir, "okrbot.db"), bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			sock := filepath.Join(dir, "c.sock")
			ctl, err := serveControl(context.Background(), sock, store, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer ctl.Close()
			conn, err := net.Dial("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.send); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tt.name, "cut short") {
				// The command is gone half way through the file. (Any
				// other end of what it sends means it is gone too.)
				conn.(*net.UnixConn).CloseWrite()
			}
			// The outcome is the last line; progress may come before it.
			answer, err := io.ReadAll(conn)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(answer)), "\n")
			if got := lines[len(lines)-1]; !strings.HasPrefix(got, tt.answer) {
				t.Errorf("answered %q, want %q", answer, tt.answer)
			}
			wss, err := workspacesOf(context.Background(), store)
			if err != nil || len(wss) != 0 {
				t.Errorf("a refused request wrote workspaces %v (%v)", wss, err)
			}
		})
	}
}
