package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/okrbot/okrbot/outbox"
)

// fileConfig describes the configuration file (okrbot --config FILE): the
// yaml tags are its keys, the env tags the environment variable each key
// stands in for. The file is read as one more layer under the environment,
// so everything that reads the environment reads the file too, and flags >
// environment > file > defaults holds without the rest of okrbot knowing
// that a file exists. Keys ending in _file name files that hold a secret.
type fileConfig struct {
	DB        string        `yaml:"db" env:"OKRBOT_DB"`
	Init      bool          `yaml:"init" env:"OKRBOT_INIT"`
	Addr      string        `yaml:"addr" env:"OKRBOT_ADDR"`
	Workers   int           `yaml:"workers" env:"OKRBOT_WORKERS"`
	LogLevel  string        `yaml:"log_level" env:"OKRBOT_LOG_LEVEL"`
	LogFormat string        `yaml:"log_format" env:"OKRBOT_LOG_FORMAT"`
	Schedule  string        `yaml:"schedule" env:"OKRBOT_SCHEDULE"`
	Grace     time.Duration `yaml:"grace" env:"OKRBOT_GRACE"`
	DialogTTL time.Duration `yaml:"dialog_ttl" env:"OKRBOT_DIALOG_TTL"`
	Workspace string        `yaml:"workspace" env:"OKRBOT_WORKSPACE"`
	TimeZone  string        `yaml:"timezone" env:"OKRBOT_TIMEZONE"`
	PublicURL string        `yaml:"public_url" env:"OKRBOT_PUBLIC_URL"`
	PprofAddr string        `yaml:"pprof_addr" env:"OKRBOT_PPROF_ADDR"`
	Database  struct {
		URL          string        `yaml:"url" env:"OKRBOT_DATABASE_URL"`
		Password     string        `yaml:"password" env:"OKRBOT_DATABASE_PASSWORD"`
		PasswordFile string        `yaml:"password_file" env:"OKRBOT_DATABASE_PASSWORD_FILE"`
		OutboxLease  time.Duration `yaml:"outbox_lease" env:"OKRBOT_OUTBOX_LEASE"`
	} `yaml:"database"`
	Backup struct {
		Dir   string        `yaml:"dir" env:"OKRBOT_BACKUP_DIR"`
		Every time.Duration `yaml:"every" env:"OKRBOT_BACKUP_EVERY"`
		Keep  int           `yaml:"keep" env:"OKRBOT_BACKUP_KEEP"`
	} `yaml:"backup"`
	Import struct {
		MaxBytes int `yaml:"max_bytes" env:"OKRBOT_IMPORT_MAX_BYTES"`
	} `yaml:"import"`
	Slack struct {
		BotToken          string  `yaml:"bot_token" env:"SLACK_BOT_TOKEN"`
		BotTokenFile      string  `yaml:"bot_token_file" env:"SLACK_BOT_TOKEN_FILE"`
		AppToken          string  `yaml:"app_token" env:"SLACK_APP_TOKEN"`
		AppTokenFile      string  `yaml:"app_token_file" env:"SLACK_APP_TOKEN_FILE"`
		SigningSecret     string  `yaml:"signing_secret" env:"SLACK_SIGNING_SECRET"`
		SigningSecretFile string  `yaml:"signing_secret_file" env:"SLACK_SIGNING_SECRET_FILE"`
		APIURL            string  `yaml:"api_url" env:"SLACK_API_URL"`
		Rate              float64 `yaml:"rate" env:"OKRBOT_SLACK_RATE"`
		RateCeiling       float64 `yaml:"rate_ceiling" env:"OKRBOT_SLACK_RATE_CEILING"`
	} `yaml:"slack"`
	Teams struct {
		AppID             string  `yaml:"app_id" env:"MICROSOFT_APP_ID"`
		AppPassword       string  `yaml:"app_password" env:"MICROSOFT_APP_PASSWORD"`
		AppPasswordFile   string  `yaml:"app_password_file" env:"MICROSOFT_APP_PASSWORD_FILE"`
		TenantID          string  `yaml:"tenant_id" env:"MICROSOFT_APP_TENANT_ID"`
		TokenURL          string  `yaml:"token_url" env:"MICROSOFT_TOKEN_URL"`
		OpenIDMetadataURL string  `yaml:"openid_metadata_url" env:"BOTFRAMEWORK_OPENID_METADATA_URL"`
		SSOMetadataURL    string  `yaml:"sso_metadata_url" env:"OKRBOT_TEAMS_SSO_METADATA_URL"`
		Rate              float64 `yaml:"rate" env:"OKRBOT_TEAMS_RATE"`
		RateCeiling       float64 `yaml:"rate_ceiling" env:"OKRBOT_TEAMS_RATE_CEILING"`
	} `yaml:"teams"`
}

// configFile is what a configuration file set, by environment variable.
type configFile struct {
	name string            // as the person gave it, for messages
	vals map[string]string // environment variable → value
	keys map[string]string // environment variable → dotted key, for messages
	line map[string]int    // environment variable → line of its value
	// bad are the values that do not parse (a duration, a number), in
	// the file's order. They are left out of vals: parseArgs reports one
	// unless a flag or the environment sets that setting.
	bad []badValue
}

// badValue is a value of the file that does not parse.
type badValue struct {
	env string // the environment variable the key stands in for
	err error  // one line naming the file, the line and the key
}

// loadConfigFile reads and checks the configuration file at path.
func loadConfigFile(path string) (*configFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the configuration file %s: %s", path, reason(err))
	}
	return loadConfig(path, filepath.Dir(path), b)
}

// loadConfig parses a configuration file strictly: an unknown key or a key
// given twice is an error of one line that names the file, the line and
// the key. A value that does not parse is kept in cf.bad with such an
// error, for parseArgs to report when no flag or environment variable
// overrides it. Relative secret files are taken
// from dir, the configuration file's own directory, so that a file and its
// secrets can move together.
func loadConfig(name, dir string, data []byte) (*configFile, error) {
	cf := &configFile{name: name, vals: map[string]string{}, keys: map[string]string{}, line: map[string]int{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return cf, nil
	} else if err != nil {
		return nil, cf.yamlError(err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, cf.errorf(more.Line, "only one YAML document is allowed; remove the second ---")
	} else if !errors.Is(err, io.EOF) {
		return nil, cf.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return cf, nil
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return cf, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, cf.errorf(root.Line, "the file must hold settings as key: value lines")
	}
	if err := cf.walk(root, reflect.TypeFor[fileConfig](), "", dir); err != nil {
		return nil, err
	}
	for env := range cf.vals {
		if base, ok := strings.CutSuffix(env, "_FILE"); ok {
			if _, both := cf.vals[base]; both {
				return nil, cf.errorf(cf.line[env], "set %s or %s, not both", cf.keys[base], cf.keys[env])
			}
		}
	}
	return cf, nil
}

// walk reads a mapping node against the struct type t.
func (cf *configFile) walk(n *yaml.Node, t reflect.Type, prefix, dir string) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		key := prefix + k.Value
		if k.Kind != yaml.ScalarNode {
			return cf.errorf(k.Line, "a key must be a plain name")
		}
		f, ok := fieldByYAML(t, k.Value)
		if !ok {
			return cf.errorf(k.Line, "unknown key %q", key)
		}
		if seen[k.Value] {
			return cf.errorf(k.Line, "key %q is set twice", key)
		}
		seen[k.Value] = true
		if isNull(v) {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			if v.Kind != yaml.MappingNode {
				return cf.errorf(v.Line, "%s must hold settings such as %s.%s", key, key, f.Type.Field(0).Tag.Get("yaml"))
			}
			if err := cf.walk(v, f.Type, key+".", dir); err != nil {
				return err
			}
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return cf.errorf(v.Line, "%s must be a single value", key)
		}
		val := strings.TrimSpace(v.Value)
		env := f.Tag.Get("env")
		var bad error
		switch {
		case f.Type == reflect.TypeFor[time.Duration]():
			if _, err := time.ParseDuration(val); err != nil {
				bad = cf.errorf(v.Line, "%s %q is not a duration; use Go syntax such as 12h or 90m", key, val)
			}
		case f.Type.Kind() == reflect.Int:
			if _, err := strconv.Atoi(val); err != nil {
				bad = cf.errorf(v.Line, "%s %q is not a whole number", key, val)
			}
		case f.Type.Kind() == reflect.Bool:
			if _, err := strconv.ParseBool(val); err != nil {
				bad = cf.errorf(v.Line, "%s %q is not true or false", key, val)
			}
		case f.Type.Kind() == reflect.Float64:
			if _, err := strconv.ParseFloat(val, 64); err != nil {
				bad = cf.errorf(v.Line, "%s %q is not a number", key, val)
			}
		}
		if bad != nil {
			cf.bad = append(cf.bad, badValue{env: env, err: bad})
			continue
		}
		if strings.HasSuffix(env, "_FILE") && val != "" && !filepath.IsAbs(val) {
			val = filepath.Join(dir, val)
		}
		cf.vals[env], cf.keys[env], cf.line[env] = val, key, v.Line
	}
	return nil
}

func fieldByYAML(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("yaml") == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// deref follows an alias (&anchor … *anchor) to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull is a key written without a value ("grace:") or with ~ or null:
// it leaves the setting to the default, like a commented-out line.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func (cf *configFile) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s", cf.name, line, fmt.Sprintf(format, args...))
}

// yamlError turns the parser's "yaml: line 3: …" into the file's name and
// line, on one line.
func (cf *configFile) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.Join(strings.Fields(msg), " ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return cf.errorf(n, "%s", text)
			}
		}
	}
	return fmt.Errorf("%s: %s", cf.name, msg)
}

// over returns a lookup of the environment that falls back to the file. A
// secret and its _FILE variant are one setting: either in the environment
// hides both in the file, so an environment SLACK_BOT_TOKEN_FILE beats a
// token written into the file.
func (cf *configFile) over(getenv func(string) string) func(string) string {
	secrets := map[string]bool{}
	for _, s := range fileSettings() {
		if base, ok := strings.CutSuffix(s.env, "_FILE"); ok {
			secrets[base] = true
		}
	}
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		if base := strings.TrimSuffix(name, "_FILE"); secrets[base] && (getenv(base) != "" || getenv(base+"_FILE") != "") {
			return ""
		}
		return cf.vals[name]
	}
}

// setting is one key of the configuration file.
type setting struct{ key, env string }

// fileSettings lists fileConfig's keys, dotted ("backup.dir"), in order.
func fileSettings() []setting {
	var out []setting
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			key := prefix + f.Tag.Get("yaml")
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, key+".")
				continue
			}
			out = append(out, setting{key: key, env: f.Tag.Get("env")})
		}
	}
	walk(reflect.TypeFor[fileConfig](), "")
	return out
}

// sources names where a setting came from, so that a value out of range
// is reported the way the person wrote it: --workers, OKRBOT_WORKERS or
// the file's key and line.
type sources struct {
	flags  map[string]bool
	getenv func(string) string // the environment alone
	file   *configFile         // nil without a configuration file
}

func (s sources) of(flagName, env string) string {
	if s.flags[flagName] {
		return "--" + flagName
	}
	if env != "" && s.getenv(env) != "" {
		return env
	}
	if s.file != nil {
		if key, ok := s.file.keys[env]; ok {
			return fmt.Sprintf("%s line %d: %s", s.file.name, s.file.line[env], key)
		}
	}
	return "--" + flagName
}

// envDefaults reads the flags' defaults from the environment (and the file
// under it). A value that does not parse leaves the default and is kept,
// to be reported by check unless its flag was given.
type envDefaults struct {
	getenv func(string) string
	flagOf map[string]string // environment variable → flag
	bad    []badFlag         // in the flags' order
}

// badFlag is an environment value that does not parse, and its flag.
type badFlag struct {
	flag string
	err  error
}

func (d *envDefaults) duration(flagName, env string, def time.Duration) time.Duration {
	d.flagOf[env] = flagName
	v := strings.TrimSpace(d.getenv(env))
	if v == "" {
		return def
	}
	x, err := time.ParseDuration(v)
	if err != nil {
		d.bad = append(d.bad, badFlag{flagName, fmt.Errorf("%s %q is not a duration; use Go syntax such as 12h or 90m", env, v)})
		return def
	}
	return x
}

func (d *envDefaults) int(flagName, env string, def int) int {
	d.flagOf[env] = flagName
	v := strings.TrimSpace(d.getenv(env))
	if v == "" {
		return def
	}
	x, err := strconv.Atoi(v)
	if err != nil {
		d.bad = append(d.bad, badFlag{flagName, fmt.Errorf("%s %q is not a whole number", env, v)})
		return def
	}
	return x
}

func (d *envDefaults) bool(flagName, env string, def bool) bool {
	d.flagOf[env] = flagName
	v := strings.TrimSpace(d.getenv(env))
	if v == "" {
		return def
	}
	x, err := strconv.ParseBool(v)
	if err != nil {
		d.bad = append(d.bad, badFlag{flagName, fmt.Errorf("%s %q is not true or false", env, v)})
		return def
	}
	return x
}

// check returns the first value that does not parse of a setting that is
// in use: one whose flag was not given (src.flags) and, for the
// configuration file's, whose environment variable is not set either
// (src.getenv is the environment alone). The file's come first, as they
// did when the file was read.
func (d *envDefaults) check(src sources) error {
	if src.file != nil {
		for _, b := range src.file.bad {
			if f, ok := d.flagOf[b.env]; ok && src.flags[f] {
				continue
			}
			if src.getenv(b.env) != "" {
				continue
			}
			return b.err
		}
	}
	for _, b := range d.bad {
		if !src.flags[b.flag] {
			return b.err
		}
	}
	return nil
}

// checkTimeZone accepts what time.LoadLocation finds in the IANA database.
// "Local" is refused: it would mean whatever the server is set to.
func checkTimeZone(tz string) error {
	if tz == "" {
		return nil
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return fmt.Errorf("%q is not a time zone; use an IANA name such as Europe/Berlin", tz)
	}
	return nil
}

// checkDatabasePath finds out, before bbolt does, whether the database can
// be written: bbolt's own errors name neither the directory nor the user,
// and they come after the chat platforms have been contacted. An existing
// database must be writable; a new one needs a writable directory.
func checkDatabasePath(path string) error {
	if path == "" {
		return errors.New("the database path is empty; set --db, OKRBOT_DB or db in the configuration file")
	}
	dir := filepath.Dir(path)
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	fail := func(why string) error {
		return fmt.Errorf("cannot write the database %s in %s: %s", filepath.Base(path), dir, why)
	}
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("the database %s is a directory; give a file such as %s", path, filepath.Join(path, "okrbot.db"))
	case err == nil:
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fail(reason(err))
		}
		return f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return fail(reason(err))
	}
	if st, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return fail("the directory does not exist")
	} else if err != nil {
		return fail(reason(err))
	} else if !st.IsDir() {
		return fail("that is not a directory")
	}
	// Access(2) would miss a read-only mount; creating a file does not.
	f, err := os.CreateTemp(dir, ".okrbot-write-check-*")
	if err != nil {
		return fail(reason(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// reason is an error from the file system without the path it repeats.
func reason(err error) string {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Sprintf("permission denied for user %d", os.Geteuid())
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// databaseFlags defines --database-url, which names a PostgreSQL database
// instead of the file --db names, and --outbox-lease, how its replicas
// share the outbox.
func databaseFlags(fs *flag.FlagSet, cfg *config, env *envDefaults) {
	fs.StringVar(&cfg.databaseURL, "database-url", strings.TrimSpace(env.getenv("OKRBOT_DATABASE_URL")),
		"run on this PostgreSQL database (`postgres://user@host:5432/name`) instead of the file --db names; its password from OKRBOT_DATABASE_PASSWORD or OKRBOT_DATABASE_PASSWORD_FILE (env OKRBOT_DATABASE_URL)")
	fs.DurationVar(&cfg.outboxLease, "outbox-lease", env.duration("outbox-lease", "OKRBOT_OUTBOX_LEASE", outbox.DefaultLease),
		"on PostgreSQL, how long a replica that died keeps the sending of scheduled messages and the ones it had claimed before another replica takes them over; renewed every third of it while the replica lives (env OKRBOT_OUTBOX_LEASE)")
}

// The outbox lease's bounds: under 3 s, renewals every second would be
// late on a busy database and a live replica's items taken; over an hour,
// a dead replica's nudges would be an hour late.
const (
	minOutboxLease = 3 * time.Second
	maxOutboxLease = time.Hour
)

// useDatabaseURL makes the database URL, when one is set, the database
// every command opens (cfg.db), with the password of
// OKRBOT_DATABASE_PASSWORD(_FILE) put into it. Naming a file with --db as
// well is refused: which one was meant is not for okrbot to guess.
func (cfg *config) useDatabaseURL(src sources) error {
	u := strings.TrimSpace(cfg.databaseURL)
	if u == "" {
		return nil
	}
	from := src.of("database-url", "OKRBOT_DATABASE_URL")
	if src.flags["db"] {
		return fmt.Errorf("--db and %s both name the database: give one of them", from)
	}
	if !isServer(u) {
		return fmt.Errorf("%s: give a postgres:// URL, or a database file with --db", from)
	}
	u, err := withPassword(u, cfg.getenv)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	cfg.db = u
	return nil
}

// withPassword puts the password of OKRBOT_DATABASE_PASSWORD or its _FILE
// into a PostgreSQL URL that has none, so that the URL can live in a
// configuration file or a manifest while the password stays a secret.
func withPassword(u string, getenv func(string) string) (string, error) {
	pw, err := secret(getenv, "OKRBOT_DATABASE_PASSWORD")
	if err != nil || pw == "" {
		return u, err
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return "", errors.New("the database URL is not valid")
	}
	if _, has := parsed.User.Password(); has {
		return "", errors.New("the URL has a password and OKRBOT_DATABASE_PASSWORD gives another: keep one")
	}
	name := ""
	if parsed.User != nil {
		name = parsed.User.Username()
	}
	parsed.User = url.UserPassword(name, pw)
	return parsed.String(), nil
}
