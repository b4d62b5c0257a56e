package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// headerStatus sends GET path to addr with one header of n bytes and
// returns the status code of the answer.
func headerStatus(t *testing.T, addr, path string, n int) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	go fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: okrbot\r\nX-Padding: %s\r\n\r\n", path, strings.Repeat("a", n))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("a %d-byte header: %v", n, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestServerCapsHeaders: the HTTP server refuses a request whose headers
// are over 64 KiB with 431 (Go's default let 1 MiB through) and serves one
// of 32 KiB.
func TestServerCapsHeaders(t *testing.T) {
	cfg := parseServe(t, []string{"--db", filepath.Join(t.TempDir(), "okrbot.db"), "--addr", "127.0.0.1:0"},
		map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://127.0.0.1:1/api/"})
	log := slog.New(slog.DiscardHandler)
	plats, err := planServe(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	s, err := buildServer(context.Background(), cfg, plats, log)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.http.Serve(ln) }()
	defer s.http.Close()
	addr := ln.Addr().String()
	if code := headerStatus(t, addr, "/healthz", 100<<10); code != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 100 KiB header: %d, want 431", code)
	}
	if code := headerStatus(t, addr, "/healthz", 32<<10); code != http.StatusOK {
		t.Errorf("a 32 KiB header: %d, want 200", code)
	}
}
