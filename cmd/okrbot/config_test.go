package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// writeConfig writes a configuration file into a fresh directory.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "okrbot.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigPrecedence(t *testing.T) {
	file := `
db: from-file.db
addr: ":7000"
workspace: T0FILE
workers: 8
grace: 6h
timezone: Europe/Berlin
backup:
  dir: /var/backups/okrbot
  keep: 3
`
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(c *config) string // "" when right, else what is wrong
	}{
		{"file alone", nil, nil, func(c *config) string {
			if c.db != "from-file.db" || c.addr != ":7000" || c.workspace != "T0FILE" || c.workers != 8 || c.grace != 6*time.Hour ||
				c.timeZone != "Europe/Berlin" || c.backupDir != "/var/backups/okrbot" || c.backupKeep != 3 {
				return "the file's values were not all taken"
			}
			if c.dialogTTL != 2*time.Hour || c.logFormat != "text" || c.backupEvery != 24*time.Hour {
				return "keys the file leaves out lost their defaults"
			}
			return ""
		}},
		{"environment over file", map[string]string{"OKRBOT_ADDR": ":9000", "OKRBOT_WORKERS": "4"}, nil, func(c *config) string {
			if c.addr != ":9000" || c.workers != 4 || c.db != "from-file.db" {
				return "the environment did not override the file, key by key"
			}
			return ""
		}},
		{"flag over environment and file", map[string]string{"OKRBOT_ADDR": ":9000", "OKRBOT_WORKSPACE": "T0ENV"}, []string{"--workspace", "T0FLAG", "--grace", "1h"}, func(c *config) string {
			if c.workspace != "T0FLAG" || c.grace != time.Hour || c.addr != ":9000" || c.db != "from-file.db" {
				return "flags did not override the environment and the file"
			}
			return ""
		}},
		{"flag after the subcommand", nil, []string{"serve", "--db", "flag.db"}, func(c *config) string {
			if c.db != "flag.db" || c.command != "serve" || c.addr != ":7000" {
				return "a flag after the subcommand was lost"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, file)
			for _, how := range []string{"flag", "env"} {
				env := map[string]string{}
				for k, v := range tt.env {
					env[k] = v
				}
				args := append([]string(nil), tt.args...)
				if how == "flag" {
					args = append(args, "--config", path)
				} else {
					env["OKRBOT_CONFIG"] = path
				}
				cfg, err := parseArgs(args, envMap(env), io.Discard)
				if err != nil {
					t.Fatalf("config by %s: %v", how, err)
				}
				if msg := tt.want(cfg); msg != "" {
					t.Errorf("config by %s: %s: %+v", how, msg, *cfg)
				}
			}
		})
	}
}

func TestConfigSecretFiles(t *testing.T) {
	path := writeConfig(t, `
slack:
  bot_token_file: secrets/bot
  signing_secret_file: signing
teams:
  app_id: 00000000-0000-0000-0000-000000000001
  app_password: pw-from-file
  tenant_id: tenant
`)
	dir := filepath.Dir(path)
	os.Mkdir(filepath.Join(dir, "secrets"), 0o700)
	os.WriteFile(filepath.Join(dir, "secrets", "bot"), []byte("xoxb-from-file\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "signing"), []byte("sig\n"), 0o600)
	other := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(other, []byte("pw-from-env-file\n"), 0o600)

	// Run from elsewhere: relative secret files belong to the config file's
	// directory, not to the working directory.
	t.Chdir(t.TempDir())
	cfg, err := parseArgs([]string{"--config", path}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.command != "serve" {
		t.Errorf("credentials in the file did not select serve: %q", cfg.command)
	}
	sc, ok, err := slackConfig(cfg.getenv)
	if !ok || err != nil || sc.BotToken != "xoxb-from-file" || sc.SigningSecret != "sig" {
		t.Errorf("slack from file: %+v %v %v", sc, ok, err)
	}
	// A secret's _FILE in the environment beats the secret in the file.
	cfg, err = parseArgs([]string{"--config", path}, envMap(map[string]string{"MICROSOFT_APP_PASSWORD_FILE": other}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tc, _, err := teamsConfig(cfg.getenv)
	if err != nil || tc.AppPassword != "pw-from-env-file" || tc.AppID != "00000000-0000-0000-0000-000000000001" {
		t.Errorf("teams: %+v %v", tc, err)
	}
}

// TestConfigErrors: each bad configuration stops the start with one line
// that names what to fix.
func TestConfigErrors(t *testing.T) {
	type tc struct {
		name string
		file string // "" for no configuration file
		env  map[string]string
		args []string
		want []string
	}
	tests := []tc{
		{name: "unknown key", file: "db: x.db\naddr: \":1\"\nslak:\n  bot_token: xoxb-1\n", want: []string{`okrbot.yaml line 3: unknown key "slak"`}},
		{name: "unknown nested key", file: "slack:\n  bot_tokn: xoxb-1\n", want: []string{`okrbot.yaml line 2: unknown key "slack.bot_tokn"`}},
		{name: "malformed", file: "db: x.db\naddr: [\":1\"\nworkers: 2\n", want: []string{"okrbot.yaml line"}},
		{name: "tab indentation", file: "slack:\n\tbot_token: x\n", want: []string{"okrbot.yaml line 2"}},
		{name: "not a mapping", file: "- db\n- addr\n", want: []string{"okrbot.yaml line 1:", "key: value"}},
		{name: "section not a mapping", file: "slack: xoxb-1\n", want: []string{"okrbot.yaml line 1: slack must hold settings such as slack.bot_token"}},
		{name: "list value", file: "db:\n  - a\n  - b\n", want: []string{"okrbot.yaml line 2: db must be a single value"}},
		{name: "key twice", file: "db: a.db\ndb: b.db\n", want: []string{`okrbot.yaml line 2: key "db" is set twice`}},
		{name: "two documents", file: "db: a.db\n---\ndb: b.db\n", want: []string{"okrbot.yaml line", "one YAML document"}},
		{name: "secret and its file", file: "slack:\n  bot_token: xoxb-1\n  bot_token_file: tok\n", want: []string{"okrbot.yaml line 3: set slack.bot_token or slack.bot_token_file, not both"}},
		{name: "bad duration in file", file: "grace: 12 hours\n", want: []string{`okrbot.yaml line 1: grace "12 hours" is not a duration`, "12h"}},
		{name: "bad number in file", file: "backup:\n  keep: seven\n", want: []string{`okrbot.yaml line 2: backup.keep "seven" is not a whole number`}},
		{name: "out of range in file", file: "\nworkers: 0\n", want: []string{"okrbot.yaml line 2: workers 0: use 1 to 1024"}},
		{name: "bad duration in env", env: map[string]string{"OKRBOT_DIALOG_TTL": "soon"}, want: []string{`OKRBOT_DIALOG_TTL "soon" is not a duration`}},
		{name: "bad number in env", env: map[string]string{"OKRBOT_WORKERS": "many"}, want: []string{`OKRBOT_WORKERS "many" is not a whole number`}},
		{name: "bad env beats a good file", file: "grace: 1h\n", env: map[string]string{"OKRBOT_GRACE": "1 hour"}, want: []string{`OKRBOT_GRACE "1 hour"`}},
		{name: "out of range in env", env: map[string]string{"OKRBOT_WORKERS": "5000"}, want: []string{"OKRBOT_WORKERS 5000: use 1 to 1024"}},
		{name: "unknown time zone in file", file: "timezone: Europe/Berlinn\n", want: []string{`okrbot.yaml line 1: timezone "Europe/Berlinn" is not a time zone; use an IANA name such as Europe/Berlin`}},
		{name: "unknown time zone in env", env: map[string]string{"OKRBOT_TIMEZONE": "CEST"}, want: []string{`OKRBOT_TIMEZONE "CEST" is not a time zone`}},
		{name: "unknown time zone flag", args: []string{"--timezone", "Mars/Olympus"}, want: []string{`--timezone "Mars/Olympus" is not a time zone`}},
		{name: "Local is not a zone", args: []string{"--timezone", "Local"}, want: []string{`--timezone "Local" is not a time zone`}},
		{name: "missing config file", args: []string{"--config", "/nonexistent/okrbot.yaml"}, want: []string{"cannot read the configuration file /nonexistent/okrbot.yaml: no such file or directory"}},
		{name: "missing config file by env", env: map[string]string{"OKRBOT_CONFIG": "/nonexistent/okrbot.yaml"}, want: []string{"cannot read the configuration file /nonexistent/okrbot.yaml"}},
		{name: "missing database directory", file: "db: DIR/nope/okrbot.db\n", want: []string{"cannot write the database okrbot.db in DIR/nope: the directory does not exist"}},
		{name: "database is a directory", args: []string{"--db", "DIR"}, want: []string{"the database DIR is a directory"}},
		{name: "missing database directory, serve", file: "db: DIR/nope/okrbot.db\nslack:\n  bot_token: xoxb-1\n  signing_secret: s\n", want: []string{"cannot write the database okrbot.db in DIR/nope: the directory does not exist"}},
		{name: "HTTP mode without signing secret", file: "slack:\n  bot_token: xoxb-1\n", want: []string{"SLACK_SIGNING_SECRET"}},
		{name: "wrong bot token prefix", file: "slack:\n  bot_token: xoxp-1\n  signing_secret: s\n", want: []string{"xoxb-"}},
		{name: "wrong app token prefix", file: "slack:\n  bot_token_file: tok\n  app_token: xoxb-2\n", want: []string{"xapp-"}},
		{name: "unreadable secret file", file: "slack:\n  bot_token_file: missing-token\n  signing_secret: s\n", want: []string{"SLACK_BOT_TOKEN_FILE: cannot read DIR/missing-token"}},
		{name: "unknown flag", args: []string{"--confg", "x.yaml"}, want: []string{"flag provided but not defined: -confg", "okrbot -h"}},
	}
	if os.Geteuid() != 0 {
		tests = append(tests, tc{name: "read-only database directory", file: "db: DIR/ro/okrbot.db\n", want: []string{"cannot write the database okrbot.db in DIR/ro: permission denied for user"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "tok"), []byte("xoxb-1\n"), 0o600)
			os.Mkdir(filepath.Join(dir, "ro"), 0o500)
			var args []string
			if tt.file != "" {
				path := filepath.Join(dir, "okrbot.yaml")
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(tt.file, "DIR", dir)), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", path)
			}
			if !strings.Contains(tt.file, "db:") {
				args = append(args, "--db", filepath.Join(dir, "okrbot.db"))
			}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			var errOut bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), io.Discard, &errOut, envMap(tt.env))
			msg := errOut.String()
			if code == 0 {
				t.Fatalf("exit 0, want an error; stderr %q", msg)
			}
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") || !strings.HasPrefix(msg, "okrbot: ") {
				t.Errorf("stderr is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(msg, w) {
					t.Errorf("stderr %q lacks %q", msg, w)
				}
			}
		})
	}
}

// TestConfigBadValueOverridden: a value of the environment or the file
// that does not parse stops the start only when it is used: a flag (or,
// for the file's, the environment) that sets the same setting wins, and
// okrbot starts with that value; without one the error is one line, as
// before.
func TestConfigBadValueOverridden(t *testing.T) {
	tests := []struct {
		name string
		file string // "" for no configuration file
		env  map[string]string
		args []string
		want func(c *config) bool // when it starts
		err  string               // when it does not
	}{
		{name: "bad env number, flag given", env: map[string]string{"OKRBOT_WORKERS": "abc"}, args: []string{"--workers", "4"},
			want: func(c *config) bool { return c.workers == 4 }},
		{name: "bad env number, -flag=value", env: map[string]string{"OKRBOT_BACKUP_KEEP": "seven"}, args: []string{"-backup-keep=3"},
			want: func(c *config) bool { return c.backupKeep == 3 }},
		{name: "bad env duration, flag given", env: map[string]string{"OKRBOT_GRACE": "soon"}, args: []string{"--grace", "2h"},
			want: func(c *config) bool { return c.grace == 2*time.Hour }},
		{name: "bad env durations, flags given", env: map[string]string{"OKRBOT_DIALOG_TTL": "1 hour", "OKRBOT_BACKUP_EVERY": "daily"},
			args: []string{"--dialog-ttl", "30m", "--backup-every", "6h"},
			want: func(c *config) bool { return c.dialogTTL == 30*time.Minute && c.backupEvery == 6*time.Hour }},
		{name: "bad env number, no flag", env: map[string]string{"OKRBOT_WORKERS": "abc"},
			err: `OKRBOT_WORKERS "abc" is not a whole number`},
		{name: "bad env number, another flag given", env: map[string]string{"OKRBOT_WORKERS": "abc"}, args: []string{"--grace", "1h"},
			err: `OKRBOT_WORKERS "abc" is not a whole number`},
		{name: "two bad env values, one flag given", env: map[string]string{"OKRBOT_WORKERS": "abc", "OKRBOT_GRACE": "soon"}, args: []string{"--workers", "4"},
			err: `OKRBOT_GRACE "soon" is not a duration`},
		{name: "bad env duration, no flag", env: map[string]string{"OKRBOT_DIALOG_TTL": "1 hour"},
			err: `OKRBOT_DIALOG_TTL "1 hour" is not a duration; use Go syntax such as 12h or 90m`},
		{name: "bad file number, flag given", file: "workers: abc\n", args: []string{"--workers", "4"},
			want: func(c *config) bool { return c.workers == 4 }},
		{name: "bad file duration, flag given", file: "db: DIR/okrbot.db\nbackup:\n  every: weekly\n", args: []string{"--backup-every", "168h"},
			want: func(c *config) bool { return c.backupEvery == 168*time.Hour }},
		{name: "bad file number, no flag", file: "workers: abc\n",
			err: `okrbot.yaml line 1: workers "abc" is not a whole number`},
		{name: "bad file duration, another flag given", file: "addr: \":1\"\ngrace: 12 hours\n", args: []string{"--workers", "4"},
			err: `okrbot.yaml line 2: grace "12 hours" is not a duration`},
		{name: "two bad file values, one flag given", file: "workers: abc\nbackup:\n  keep: seven\n", args: []string{"--workers", "4"},
			err: `okrbot.yaml line 3: backup.keep "seven" is not a whole number`},
		{name: "bad file duration, environment set", file: "grace: 12 hours\n", env: map[string]string{"OKRBOT_GRACE": "3h"},
			want: func(c *config) bool { return c.grace == 3*time.Hour }},
		{name: "bad file and env durations, flag given", file: "grace: 12 hours\n", env: map[string]string{"OKRBOT_GRACE": "later"}, args: []string{"--grace", "1h"},
			want: func(c *config) bool { return c.grace == time.Hour }},
		{name: "bad file and env durations, no flag", file: "grace: 12 hours\n", env: map[string]string{"OKRBOT_GRACE": "later"},
			err: `OKRBOT_GRACE "later" is not a duration`},
		{name: "bad file value before a bad env value", file: "workers: abc\n", env: map[string]string{"OKRBOT_GRACE": "later"},
			err: `okrbot.yaml line 1: workers "abc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// `okrbot version` reads every setting as a start does; the
			// flags follow the subcommand.
			args := []string{"version", "--db", filepath.Join(dir, "okrbot.db")}
			if tt.file != "" {
				path := filepath.Join(dir, "okrbot.yaml")
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(tt.file, "DIR", dir)), 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--config", path)
			}
			args = append(args, tt.args...)
			cfg, err := parseArgs(args, envMap(tt.env), io.Discard)
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, envMap(tt.env))
			if tt.err == "" {
				if err != nil {
					t.Fatalf("parseArgs: %v", err)
				}
				if !tt.want(cfg) {
					t.Errorf("not the overriding value: %+v", *cfg)
				}
				if code != 0 || errOut.Len() != 0 || !strings.HasPrefix(out.String(), "okrbot ") {
					t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseArgs: %v, want %q", err, tt.err)
			}
			msg := errOut.String()
			if code != 2 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "okrbot: ") || !strings.Contains(msg, tt.err) {
				t.Errorf("exit %d, stderr %q, want one line with %q", code, msg, tt.err)
			}
		})
	}
}

// TestConfigAcceptsNullsAndAliases: an empty value leaves the default, as a
// commented-out line would, and YAML anchors work.
func TestConfigAcceptsNullsAndAliases(t *testing.T) {
	path := writeConfig(t, "# nothing but comments\ndb:\naddr: ~\nworkspace: &ws T0SHARED\nteams:\n  tenant_id: *ws\nslack:\n")
	cfg, err := parseArgs([]string{"--config", path}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.db != "okrbot.db" || cfg.addr != ":8080" || cfg.workspace != "T0SHARED" || cfg.getenv("MICROSOFT_APP_TENANT_ID") != "T0SHARED" {
		t.Errorf("%+v", *cfg)
	}
	for _, text := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		if _, err := loadConfig("okrbot.yaml", ".", []byte(text)); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// TestExampleConfigIsCompleteAndHarmless keeps deploy/okrbot.example.yaml
// from going stale: it passes the strict loader, names every key of
// fileConfig with its environment variable, and copied as it is changes
// nothing from the defaults.
func TestExampleConfigIsCompleteAndHarmless(t *testing.T) {
	const path = "../../deploy/okrbot.example.yaml"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfigFile(path); err != nil {
		t.Fatalf("strict loader: %v", err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	var collect func(n *yaml.Node, prefix string)
	collect = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := prefix + n.Content[i].Value
			present[key] = true
			if v := n.Content[i+1]; v.Kind == yaml.MappingNode {
				collect(v, key+".")
			}
		}
	}
	collect(root.Content[0], "")
	settings := fileSettings()
	if len(settings) < 20 {
		t.Fatalf("fileSettings found %d keys; the reflection walk is broken", len(settings))
	}
	for _, s := range settings {
		if !present[s.key] {
			t.Errorf("the example lacks %s", s.key)
		}
		if !strings.Contains(string(b), s.env) {
			t.Errorf("the example does not name %s's environment variable %s", s.key, s.env)
		}
	}
	// Every key of the struct has both tags, so it can be found by both names.
	var check func(rt reflect.Type)
	check = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			if f.Tag.Get("yaml") == "" || (f.Type.Kind() != reflect.Struct && f.Tag.Get("env") == "") {
				t.Errorf("field %s lacks a yaml or env tag", f.Name)
			}
			if f.Type.Kind() == reflect.Struct {
				check(f.Type)
			}
		}
	}
	check(reflect.TypeFor[fileConfig]())

	withExample, err := parseArgs([]string{"--config", path}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defaults, err := parseArgs(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	withExample.configFile, withExample.getenv, defaults.getenv = "", nil, nil
	if !reflect.DeepEqual(withExample, defaults) {
		t.Errorf("the example changes the defaults:\n%+v\n%+v", *withExample, *defaults)
	}
}

// fuzzConfigMax is the largest input FuzzLoadConfig gives the loader.
// Every input that widens coverage is minimized first, and minimizing
// tries each cut of the input (quadratic in its length) at one run of the
// loader each, for up to a minute: seeded with the 6 KB example, the
// fuzzer spent its time minimizing (11 inputs a minute), and inputs of a
// few KB still held a worker for seconds each. Every path of the loader is
// reached by a few hundred bytes, so the example is given in pieces
// (fuzzConfigSeeds) and larger inputs are passed over.
const fuzzConfigMax = 256

// fuzzConfigSeeds cuts the example configuration into seeds the fuzzer can
// minimize in a moment: each top-level key on its own with its section (or
// a piece of it), without the comments.
func fuzzConfigSeeds(tb testing.TB) [][]byte {
	b, err := os.ReadFile("../../deploy/okrbot.example.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var blocks [][]byte
	var top string // the section's key line
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if value, comment, ok := strings.Cut(line, " #"); ok && !strings.Contains(comment, "\"") {
			line = strings.TrimRight(value, " ") + "\n"
		}
		// A long section goes in pieces, each under its own key.
		switch {
		case line[0] != ' ' || len(blocks) == 0:
			top = line
			blocks = append(blocks, nil)
		case len(blocks[len(blocks)-1])+len(line) > fuzzConfigMax/2:
			blocks = append(blocks, []byte(top))
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], line...)
	}
	return blocks
}

// TestFuzzConfigSeeds: the seeds are small enough to minimize quickly,
// each loads, and together they hold every key of the example.
func TestFuzzConfigSeeds(t *testing.T) {
	seeds := fuzzConfigSeeds(t)
	for _, seed := range seeds {
		if len(seed) > fuzzConfigMax/2 {
			t.Errorf("a seed of %d bytes: keep them under %d", len(seed), fuzzConfigMax/2)
		}
		if _, err := loadConfig("okrbot.yaml", "/etc/okrbot", seed); err != nil {
			t.Errorf("seed %q: %v", seed, err)
		}
	}
	for _, s := range fileSettings() {
		top, leaf, nested := strings.Cut(s.key, ".")
		held := false
		for _, seed := range seeds {
			held = held || (strings.HasPrefix(string(seed), top+":") && (!nested || strings.Contains(string(seed), "\n  "+leaf+":")))
		}
		if !held {
			t.Errorf("no seed holds %s", s.key)
		}
	}
}

func FuzzLoadConfig(f *testing.F) {
	for _, seed := range fuzzConfigSeeds(f) {
		f.Add(seed)
	}
	for _, s := range []string{
		"db: x.db\nworkers: 3\ngrace: 1h\n",
		"slack:\n  bot_token_file: tok\n  app_token: xapp-1\n",
		"a: &a [*a]\n",
		"backup: &b {dir: x}\nteams: *b\n",
		"? [a]\n: b\n",
		"db: !!binary aGVsbG8=\n",
		"workers: 0x10\n",
		"---\n...\n",
		"\"db\": 'x'\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzConfigMax {
			return
		}
		cf, err := loadConfig("okrbot.yaml", "/etc/okrbot", data)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "okrbot.yaml") {
				t.Fatalf("error is not one line about the file: %q", msg)
			}
			return
		}
		get := cf.over(noEnv)
		for _, s := range fileSettings() {
			v := get(s.env)
			if strings.HasSuffix(s.env, "_FILE") && v != "" && !filepath.IsAbs(v) {
				t.Fatalf("%s = %q is not absolute", s.key, v)
			}
		}
	})
}
