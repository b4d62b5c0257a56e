package main

import (
	"archive/zip"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

func TestPublicURLSetting(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "okrbot.yaml")
	if err := os.WriteFile(file, []byte("public_url: https://from-file.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
		err  string
	}{
		{"unset", nil, nil, "", ""},
		{"flag", []string{"--public-url", "https://okr.example.com"}, nil, "https://okr.example.com", ""},
		{"environment", nil, map[string]string{"OKRBOT_PUBLIC_URL": "https://env.example"}, "https://env.example", ""},
		{"file", []string{"--config", file}, nil, "https://from-file.example", ""},
		{"flag over environment", []string{"--public-url", "https://flag.example"}, map[string]string{"OKRBOT_PUBLIC_URL": "https://env.example"}, "https://flag.example", ""},
		{"no scheme", []string{"--public-url", "okr.example.com"}, nil, "", "--public-url"},
		{"bad environment", nil, map[string]string{"OKRBOT_PUBLIC_URL": "ftp://x"}, "", "OKRBOT_PUBLIC_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseArgs(append(tc.args, "serve"), envMap(tc.env), io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "https://okrbot.example.com") {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.publicURL != tc.want {
				t.Fatalf("public URL %q", cfg.publicURL)
			}
		})
	}
}

// TestWebMounted: with a public URL, /okr web answers with a link that
// opens the web view on serve's mux.
func TestWebMounted(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := &config{publicURL: srv.URL, getenv: envMap(nil)}
	if err := mountWeb(cfg, k.DB, k.Engine, nil, mux, k.Clock.Now, nil); err != nil {
		t.Fatal(err)
	}
	text := chat.PlainText(bottest.Text(k.Ask("alice", "web")))
	i := strings.Index(text, srv.URL)
	if i < 0 {
		t.Fatalf("answer: %q", text)
	}
	link := strings.Fields(text[i:])[0]
	jar, _ := cookiejar.New(nil)
	resp, err := (&http.Client{Jar: jar}).Get(link)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Company tree") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}

	// Without one, the command says how to set it and nothing is mounted.
	k2 := bottest.New(t, bottest.Demo())
	mux2 := http.NewServeMux()
	if err := mountWeb(&config{getenv: envMap(nil)}, k2.DB, k2.Engine, nil, mux2, k2.Clock.Now, nil); err != nil {
		t.Fatal(err)
	}
	if got := bottest.Text(k2.Ask("alice", "web")); !strings.Contains(got, "public_url") {
		t.Errorf("unset: %q", got)
	}
	rec := httptest.NewRecorder()
	mux2.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/okr/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/okr/ without a public URL: %d", rec.Code)
	}
}

// TestTeamsPackageTabs: with a public URL the package's manifest has the
// web view's tabs; one on plain http is refused, since Teams needs https.
func TestTeamsPackageTabs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "okrbot-teams.zip")
	env := map[string]string{"MICROSOFT_APP_ID": "00000000-0000-0000-0000-000000000001", "OKRBOT_PUBLIC_URL": "https://okr.example.com"}
	var errOut strings.Builder
	if code := run(context.Background(), []string{"teams-package", out}, nil, io.Discard, &errOut, envMap(env)); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var manifest string
	for _, f := range zr.File {
		if f.Name == "manifest.json" {
			r, _ := f.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			manifest = string(b)
		}
	}
	if !strings.Contains(manifest, `"contentUrl": "https://okr.example.com/okr/tab"`) || !strings.Contains(manifest, "api://okr.example.com/") {
		t.Errorf("manifest: %s", manifest)
	}
	env["OKRBOT_PUBLIC_URL"] = "http://okr.example.com"
	errOut.Reset()
	if code := run(context.Background(), []string{"teams-package", out}, nil, io.Discard, &errOut, envMap(env)); code != 1 || !strings.Contains(errOut.String(), "https") {
		t.Errorf("http: %d %q", code, errOut.String())
	}
}
