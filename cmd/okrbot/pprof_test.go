package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPprofAddrSetting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "okrbot.yaml")
	if err := os.WriteFile(file, []byte("pprof_addr: 127.0.0.1:6061\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
		err  string // what the refusal names
	}{
		{"off by default", nil, nil, "", ""},
		{"flag", []string{"--pprof-addr", "127.0.0.1:6060"}, nil, "127.0.0.1:6060", ""},
		{"environment", nil, map[string]string{"OKRBOT_PPROF_ADDR": "localhost:6060"}, "localhost:6060", ""},
		{"file", []string{"--config", file}, nil, "127.0.0.1:6061", ""},
		{"IPv6 loopback", []string{"--pprof-addr", "[::1]:6060"}, nil, "[::1]:6060", ""},
		{"every interface", []string{"--pprof-addr", ":6060"}, nil, "", "--pprof-addr"},
		{"a public address", nil, map[string]string{"OKRBOT_PPROF_ADDR": "203.0.113.7:6060"}, "", "OKRBOT_PPROF_ADDR"},
		{"a host name", []string{"--pprof-addr", "okrbot.example.com:6060"}, nil, "", "--pprof-addr"},
		{"no port", []string{"--pprof-addr", "127.0.0.1"}, nil, "", "--pprof-addr"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseArgs(append(tc.args, "serve"), envMap(tc.env), io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "127.0.0.1:6060") {
					t.Fatalf("err %v, want a refusal naming %s and an example", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.pprofAddr != tc.want {
				t.Fatalf("profiler address %q, want %q", cfg.pprofAddr, tc.want)
			}
		})
	}
}

// TestPprofServes: the profiler's pages answer on their own listener, and
// it stops with its context.
func TestPprofServes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		servePprof(ctx, ln, nil)
	}()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/cmdline"} {
		res, err := http.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("%s: %s, %d bytes", path, res.Status, len(body))
		}
	}
	cancel()
	<-done
}
