package main

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/storage/bolt"
)

// askControl sends one request line and returns the first line answered.
func askControl(t *testing.T, sock, request string) string {
	t.Helper()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("dial control socket: %v", err)
	}
	defer conn.Close()
	// A refusal may come, and the connection close, before the request
	// is written: the write may fail, the answer is read all the same.
	_, _ = conn.Write([]byte(request + "\n"))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return strings.TrimSpace(line)
}

func TestControlRequests(t *testing.T) {
	tests := []struct {
		name     string
		request  string
		shutdown bool
		want     string
	}{
		{name: "backup", request: "backup", want: "OK"},
		{name: "unknown", request: "launch rockets", want: "ERR unknown request"},
		{name: "empty", request: "", want: "ERR unknown request"},
		{name: "shutting down", request: "backup", shutdown: true, want: "ERR okrbot is shutting down; try again once it is back"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := bolt.Open(filepath.Join(dir, "okrbot.db"), bolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			sock := filepath.Join(dir, "c.sock")
			ctl, err := serveControl(ctx, sock, db, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer ctl.Close()
			st, err := os.Stat(sock)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Fatalf("the control socket is %v, want only its user to reach it (0600)", st.Mode())
			}
			if tt.shutdown {
				cancel()
			}
			if got := askControl(t, sock, tt.request); got != tt.want {
				t.Errorf("%q answered %q, want %q", tt.request, got, tt.want)
			}
		})
	}
}
