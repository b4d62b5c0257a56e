package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDatabaseURL: database.url, OKRBOT_DATABASE_URL and --database-url
// name a PostgreSQL database, its password comes from
// OKRBOT_DATABASE_PASSWORD or its _FILE, and what cannot be meant is
// refused in one line.
func TestDatabaseURL(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "okrbot.yaml")
	if err := os.WriteFile(cfgFile, []byte("database:\n  url: postgres://okrbot@db:5432/okrbot\n  password_file: pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		wantDB string
		fails  string
	}{
		{"default file", nil, nil, "okrbot.db", ""},
		{"flag", []string{"--database-url", "postgres://u@h/d"}, nil, "postgres://u@h/d", ""},
		{"environment", nil, map[string]string{"OKRBOT_DATABASE_URL": "postgresql://u@h/d"}, "postgresql://u@h/d", ""},
		{"password", nil, map[string]string{"OKRBOT_DATABASE_URL": "postgres://u@h/d", "OKRBOT_DATABASE_PASSWORD": "p w"}, "postgres://u:p%20w@h/d", ""},
		{"password file", nil, map[string]string{"OKRBOT_DATABASE_URL": "postgres://u@h/d", "OKRBOT_DATABASE_PASSWORD_FILE": pwFile}, "postgres://u:s3cret@h/d", ""},
		{"configuration file", []string{"--config", cfgFile}, nil, "postgres://okrbot:s3cret@db:5432/okrbot", ""},
		{"flag over file", []string{"--config", cfgFile, "--database-url", "postgres://x@y/z"}, nil, "postgres://x:s3cret@y/z", ""},
		{"and --db", []string{"--db", "a.db", "--database-url", "postgres://u@h/d"}, nil, "", "--db and --database-url both name the database"},
		{"not postgres", nil, map[string]string{"OKRBOT_DATABASE_URL": "mysql://u@h/d"}, "", "OKRBOT_DATABASE_URL: give a postgres:// URL"},
		{"two passwords", []string{"--database-url", "postgres://u:a@h/d"}, map[string]string{"OKRBOT_DATABASE_PASSWORD": "b"}, "", "keep one"},
		{"unreadable password file", []string{"--database-url", "postgres://u@h/d"}, map[string]string{"OKRBOT_DATABASE_PASSWORD_FILE": filepath.Join(dir, "none")}, "", "cannot read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseArgs(append([]string{"version"}, tc.args...), envOf(tc.env), io.Discard)
			if tc.fails != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fails) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %v, want one line saying %q", err, tc.fails)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.db != tc.wantDB {
				t.Errorf("database %q, want %q", cfg.db, tc.wantDB)
			}
		})
	}
}
