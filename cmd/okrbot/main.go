// Command okrbot is a self-hosted OKR assistant for chat. With no Slack or
// Teams credentials it runs a terminal chat on an embedded database.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	// Time zones must work on machines and containers without tzdata.
	_ "time/tzdata"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/demo"
	"github.com/okrbot/okrbot/outbox"
	"github.com/okrbot/okrbot/schedule"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// config is everything the flags, the environment and the configuration
// file say.
type config struct {
	command     string
	args        []string
	configFile  string // --config or OKRBOT_CONFIG; "" for none
	db          string
	databaseURL string        // --database-url: a PostgreSQL database instead of db (config.go)
	outboxLease time.Duration // --outbox-lease: how long a dead replica holds the outbox (config.go)
	publicURL   string        // --public-url: where browsers reach okrbot, for the web view (web.go)
	init        bool          // an existing empty database file may become a new database
	demo        bool
	as          string
	logLevel    slog.Level
	logFormat   string
	schedule    string        // on, off or auto
	grace       time.Duration // how late a missed window is caught up
	dialogTTL   time.Duration // how long a half-finished check-in waits
	clock       string        // a fixed start time: a clock moved by /clock
	addr        string        // where serve listens
	pprofAddr   string        // where serve's profiler listens; "" for none (pprof.go)
	workers     int           // events handled at once per platform
	workspace   string        // the one workspace all platforms share; "" keeps them apart
	timeZone    string        // for people whose platform tells none
	backupDir   string
	backupEvery time.Duration
	backupKeep  int
	pacing      pacing       // how fast serve sends on each platform (pacing.go)
	migrate     migrateFlags // okrbot migrate --from --to (migrate.go)
	// okrbot import and export (transfer.go).
	importMaxBytes int64
	dryRun         bool
	skipBadRows    bool
	format         string
	what           string
	cycle          string
	platform       string
	// getenv reads the environment and, under it, the configuration file.
	getenv   func(string) string
	manual   *manualClock
	now      func() time.Time
	stdinTTY bool
	// outTTY: standard output and standard error are terminals, where the
	// terminal chat and its log would mix.
	outTTY bool
}

const usageText = `okrbot: your OKR programme in chat.

Usage:
  okrbot [shell] [flags]       terminal chat on the embedded database (the default without chat credentials)
  okrbot serve [flags]         serve Slack and/or Teams (the default when their credentials are set)
  okrbot teams-package FILE    write the Teams app package (zip) for MICROSOFT_APP_ID
  okrbot backup FILE [flags]   write a consistent copy of the database, even while okrbot runs
  okrbot restore FILE [flags]  replace the database with a checked backup (okrbot must be stopped)
  okrbot check FILE            check a database or backup file
  okrbot import FILE [flags]   bring in a Viva Goals export, a spreadsheet or an okrbot export (--dry-run first), even while okrbot runs
  okrbot export FILE|- [flags] write the workspace as JSON or CSV, even while okrbot runs
  okrbot people sync [flags]   read everyone from Slack's directory or the Teams rosters, through the running okrbot
  okrbot admin EMAIL|NAME      give a person the admin role (after an import nobody has it), even while okrbot runs
  okrbot migrate --from A --to B  copy a database file into an empty PostgreSQL database, or back (okrbot must be stopped)
  okrbot version

Settings come from flags, then environment variables, then the file named
by --config (or OKRBOT_CONFIG), then the defaults.

Flags:
`

// parseArgs reads the subcommand and flags. Flags may come before or after
// the subcommand.
func parseArgs(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	command := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	// The file is a layer under the environment, so it must be read before
	// the flags' defaults are: a first pass finds --config alone. Its errors
	// are the second pass's too, and reported there.
	probe := &config{}
	probeFlags, _, _ := newFlagSet(probe, getenv)
	_, _ = parseFlags(probeFlags, args)
	var file *configFile
	env := getenv
	if probe.configFile != "" {
		f, err := loadConfigFile(probe.configFile)
		if err != nil {
			return nil, err
		}
		file, env = f, f.over(getenv)
	}

	cfg := &config{command: "shell", getenv: env}
	_, slackSet, _ := slackConfig(env)
	_, teamsSet, _ := teamsConfig(env)
	if slackSet || teamsSet {
		// With chat credentials set, plain `okrbot` serves them.
		cfg.command = "serve"
	}
	if command != "" {
		cfg.command = command
	}
	fs, level, defaults := newFlagSet(cfg, env)
	rest, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stderr)
		fs.Usage()
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w; `okrbot -h` lists the flags", err)
	}
	cfg.args = rest
	src := sources{flags: map[string]bool{}, getenv: getenv, file: file}
	fs.Visit(func(f *flag.Flag) { src.flags[f.Name] = true })
	// A value of the environment or the file that does not parse matters
	// only when no flag overrides it: `OKRBOT_WORKERS=abc okrbot
	// --workers 4` starts.
	if err := defaults.check(src); err != nil {
		return nil, err
	}

	if err := cfg.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, fmt.Errorf("%s %q: use debug, info, warn or error", src.of("log-level", "OKRBOT_LOG_LEVEL"), *level)
	}
	switch cfg.schedule {
	case "on", "off", "auto":
	default:
		return nil, fmt.Errorf("%s %q: use on, off or auto", src.of("schedule", "OKRBOT_SCHEDULE"), cfg.schedule)
	}
	if cfg.backupDir != "" && cfg.backupEvery < time.Minute {
		return nil, fmt.Errorf("%s %s: must be at least 1m", src.of("backup-every", "OKRBOT_BACKUP_EVERY"), cfg.backupEvery)
	}
	if cfg.backupDir != "" && cfg.backupKeep < 1 {
		return nil, fmt.Errorf("%s %d: must be at least 1", src.of("backup-keep", "OKRBOT_BACKUP_KEEP"), cfg.backupKeep)
	}
	if cfg.workers < 1 || cfg.workers > 1024 {
		return nil, fmt.Errorf("%s %d: use 1 to 1024", src.of("workers", "OKRBOT_WORKERS"), cfg.workers)
	}
	if cfg.dialogTTL <= 0 {
		return nil, fmt.Errorf("%s %s: must be positive", src.of("dialog-ttl", "OKRBOT_DIALOG_TTL"), cfg.dialogTTL)
	}
	if cfg.grace <= 0 {
		return nil, fmt.Errorf("%s %s: must be positive", src.of("grace", "OKRBOT_GRACE"), cfg.grace)
	}
	if err := cfg.pacing.check(src); err != nil {
		return nil, err
	}
	if cfg.outboxLease < minOutboxLease || cfg.outboxLease > maxOutboxLease {
		return nil, fmt.Errorf("%s %s: use %s to %s", src.of("outbox-lease", "OKRBOT_OUTBOX_LEASE"), cfg.outboxLease, minOutboxLease, maxOutboxLease)
	}
	if err := checkTimeZone(cfg.timeZone); err != nil {
		return nil, fmt.Errorf("%s %w", src.of("timezone", "OKRBOT_TIMEZONE"), err)
	}
	if cfg.clock != "" {
		t, err := time.Parse(time.RFC3339, cfg.clock)
		if err != nil {
			return nil, fmt.Errorf("--clock %q: use a time like 2026-11-23T08:00:00Z", cfg.clock)
		}
		cfg.manual = &manualClock{t: t}
		cfg.now = cfg.manual.Now
	}
	if err := cfg.useDatabaseURL(src); err != nil {
		return nil, err
	}
	if err := cfg.checkPublicURL(src); err != nil {
		return nil, err
	}
	if err := cfg.checkPprofAddr(src); err != nil {
		return nil, err
	}
	if cfg.logFormat != "text" && cfg.logFormat != "json" {
		return nil, fmt.Errorf("%s %q: use text or json", src.of("log-format", "OKRBOT_LOG_FORMAT"), cfg.logFormat)
	}
	if err := checkCommand(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// checkCommand checks the subcommand and its arguments.
func checkCommand(cfg *config) error {
	switch cfg.command {
	case "shell", "serve", "version", "help":
	case "teams-package":
		if len(cfg.args) != 1 {
			return fmt.Errorf("usage: okrbot teams-package FILE.zip (with MICROSOFT_APP_ID set)")
		}
	case "backup", "check", "restore":
		if len(cfg.args) != 1 {
			return fmt.Errorf("usage: okrbot %s FILE", cfg.command)
		}
	case "import", "export":
		if err := checkTransferArgs(cfg); err != nil {
			return err
		}
	case "admin":
		if len(cfg.args) != 1 || strings.TrimSpace(cfg.args[0]) == "" {
			return fmt.Errorf("usage: okrbot admin EMAIL|NAME [--workspace ID]")
		}
	case "migrate":
		if err := checkMigrateArgs(cfg); err != nil {
			return err
		}
	case "people":
		if len(cfg.args) != 1 || cfg.args[0] != "sync" {
			return fmt.Errorf("usage: okrbot people sync [--platform slack|teams] [--workspace ID]")
		}
	default:
		return fmt.Errorf("unknown command %q; try `okrbot help`", cfg.command)
	}
	return nil
}

// newFlagSet defines okrbot's flags on cfg with their defaults read through
// getenv; env holds the values that do not parse, for env.check once the
// flags are parsed.
func newFlagSet(cfg *config, getenv func(string) string) (fs *flag.FlagSet, logLevel *string, env *envDefaults) {
	fs = flag.NewFlagSet("okrbot", flag.ContinueOnError)
	// Errors are returned, and printed once by run; usage only on -h.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	env = &envDefaults{getenv: getenv, flagOf: map[string]string{}}
	fs.StringVar(&cfg.configFile, "config", getenv("OKRBOT_CONFIG"), "read settings from this YAML `file`; flags and environment variables override it (env OKRBOT_CONFIG)")
	fs.StringVar(&cfg.db, "db", envOr(getenv, "OKRBOT_DB", "okrbot.db"), "database file (env OKRBOT_DB)")
	fs.BoolVar(&cfg.init, "init", env.bool("init", "OKRBOT_INIT", false), "start a new, empty database in an existing empty (0-byte) database file; without it such a file is refused, since it is more often a lost database than a new one (a path that does not exist always starts a new database) (env OKRBOT_INIT)")
	fs.BoolVar(&cfg.demo, "demo", false, "seed a demo organisation into an empty database")
	fs.StringVar(&cfg.as, "as", getenv("OKRBOT_USER"), "who you are in the terminal chat (env OKRBOT_USER)")
	fs.StringVar(&cfg.schedule, "schedule", envOr(getenv, "OKRBOT_SCHEDULE", "auto"), "run scheduled nudges, reminders and digests: on, off, or auto (on in a terminal, off for piped scripts) (env OKRBOT_SCHEDULE)")
	fs.DurationVar(&cfg.grace, "grace", env.duration("grace", "OKRBOT_GRACE", 12*time.Hour), "how late a window missed while okrbot was down is still caught up (env OKRBOT_GRACE)")
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "OKRBOT_ADDR", ":8080"), "where okrbot serve listens: `host:port` (Slack HTTP mode, Teams; /healthz in every mode) (env OKRBOT_ADDR)")
	fs.StringVar(&cfg.backupDir, "backup-dir", getenv("OKRBOT_BACKUP_DIR"), "write scheduled backups of the database into this directory (okrbot serve) (env OKRBOT_BACKUP_DIR)")
	fs.DurationVar(&cfg.backupEvery, "backup-every", env.duration("backup-every", "OKRBOT_BACKUP_EVERY", 24*time.Hour), "how often to write a scheduled backup, with --backup-dir (env OKRBOT_BACKUP_EVERY)")
	fs.IntVar(&cfg.backupKeep, "backup-keep", env.int("backup-keep", "OKRBOT_BACKUP_KEEP", 7), "how many scheduled backups to keep, with --backup-dir (env OKRBOT_BACKUP_KEEP)")
	fs.IntVar(&cfg.workers, "workers", env.int("workers", "OKRBOT_WORKERS", 16), "how many chat events each platform adapter handles at once, after acknowledging them; fewer gives steadier acknowledgements on a small machine, more gives faster answers when Slack or Teams is slow (env OKRBOT_WORKERS)")
	fs.DurationVar(&cfg.dialogTTL, "dialog-ttl", env.duration("dialog-ttl", "OKRBOT_DIALOG_TTL", 2*time.Hour), "how long a half-finished guided check-in or retrospective waits for the next answer (env OKRBOT_DIALOG_TTL)")
	fs.StringVar(&cfg.workspace, "workspace", strings.TrimSpace(getenv("OKRBOT_WORKSPACE")), "serve one organisation on Slack and Teams with one set of OKRs: every platform workspace maps to this `id` (env OKRBOT_WORKSPACE)")
	fs.StringVar(&cfg.timeZone, "timezone", strings.TrimSpace(getenv("OKRBOT_TIMEZONE")), "time `zone` (IANA, e.g. Europe/Berlin) for people whose chat platform doesn't report one; default UTC (env OKRBOT_TIMEZONE)")
	fs.StringVar(&cfg.clock, "clock", "", "run on a clock stopped at this `time` (RFC 3339, e.g. 2026-11-23T08:00:00Z): in the terminal chat only /clock moves it (demos, scripted weeks); okrbot serve stays at that time (tests of a given Monday), so never set it in production")
	fs.Int64Var(&cfg.importMaxBytes, "import-max-bytes", int64(env.int("import-max-bytes", "OKRBOT_IMPORT_MAX_BYTES", defaultImportMaxBytes)), "okrbot import refuses a file larger than this many `bytes`, before reading it (env OKRBOT_IMPORT_MAX_BYTES)")
	fs.BoolVar(&cfg.dryRun, "dry-run", false, "okrbot import: print what the import would create, change and leave alone, and write nothing")
	fs.StringVar(&cfg.format, "format", "", "okrbot import: vivagoals, okrbot, csv or xlsx (found from the file's content when not given); okrbot export: json (default) or csv")
	fs.BoolVar(&cfg.skipBadRows, "skip-bad-rows", false, "okrbot import of a spreadsheet: import the rows without errors and report the others; without it a sheet with any row in error is refused whole")
	fs.StringVar(&cfg.what, "what", "", "okrbot export --format csv: okrs (one row per objective, key result and initiative; the default) or checkins (the history)")
	fs.StringVar(&cfg.cycle, "cycle", "", "okrbot export: only the cycle of this `name` (default: every cycle)")
	fs.StringVar(&cfg.platform, "platform", "", "okrbot import into a workspace the database does not hold yet: slack, teams or shell (default: the platform whose credentials are set, else shell); okrbot people sync: whose directory to read")
	pacingFlags(fs, &cfg.pacing, env)
	databaseFlags(fs, cfg, env)
	webFlags(fs, cfg, getenv)
	pprofFlags(fs, cfg, getenv)
	migrateFlagsOn(fs, &cfg.migrate)
	logLevel = fs.String("log-level", envOr(getenv, "OKRBOT_LOG_LEVEL", "warn"), "log level: debug, info, warn or error (env OKRBOT_LOG_LEVEL)")
	fs.StringVar(&cfg.logFormat, "log-format", envOr(getenv, "OKRBOT_LOG_FORMAT", "text"), "log format: text or json (env OKRBOT_LOG_FORMAT)")
	return fs, logLevel, env
}

// parseFlags parses args and returns the positional arguments: flags may
// also follow them ("backup FILE --db X").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return rest, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseArgs(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "okrbot:", err)
		return 2
	}
	cfg.stdinTTY = isTerminal(stdin)
	cfg.outTTY = isTerminal(stdout) && isTerminal(stderr)
	if err := execute(ctx, cfg, stdin, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "okrbot:", err)
		return 1
	}
	return 0
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func execute(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	switch cfg.command {
	case "version":
		fmt.Fprintln(stdout, "okrbot", version)
		return nil
	case "help":
		fs, _, _ := newFlagSet(&config{}, cfg.getenv)
		fs.SetOutput(stdout)
		fs.Usage()
		return nil
	case "backup":
		return backup(ctx, cfg.db, cfg.args[0], stdout, log)
	case "serve":
		return serve(ctx, cfg, stdout, log)
	case "import":
		return importCommand(ctx, cfg, stdout, stderr, log)
	case "export":
		return exportCommand(ctx, cfg, stdout, stderr, log)
	case "people":
		return peopleCommand(ctx, cfg, stdout)
	case "migrate":
		return migrateCommand(ctx, cfg, stdout, log)
	case "admin":
		return adminCommand(ctx, cfg, stdout)
	case "restore":
		return restore(cfg.db, cfg.args[0], stdout)
	case "teams-package":
		return teamsPackage(cfg.getenv("MICROSOFT_APP_ID"), cfg.publicURL, cfg.args[0], stdout)
	case "check":
		if err := checkFile(cfg.args[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is a healthy okrbot database.\n", cfg.args[0])
		return nil
	}
	return runShell(ctx, cfg, stdin, stdout, log)
}

func runShell(ctx context.Context, cfg *config, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	if cfg.outTTY {
		if l, closeLog, path, err := fileLogger(cfg); err == nil {
			defer closeLog()
			log = l
			fmt.Fprintf(stdout, "okrbot's log goes to %s.\n", path)
		}
	}
	db, closeStore, err := openStore(ctx, cfg.db, cfg.init, log, nil)
	if err != nil {
		return err
	}
	defer closeStore()
	now := cfg.now
	if now == nil {
		now = time.Now
	}
	user := cfg.as
	if cfg.demo {
		if err := seedDemo(ctx, db, cfg, now(), stdout); err != nil {
			return err
		}
		if user == "" {
			user = demo.User
		}
	}
	if user == "" {
		user = envOr(os.Getenv, "USER", "me")
	}
	engine := bot.NewEngine(db, bot.Options{Now: now, Logger: log, DialogTTL: cfg.dialogTTL,
		Workspace: cfg.workspace, DefaultTimeZone: cfg.timeZone})
	// Views answer before their dedupe marks are durable: the marks land
	// before the store closes (defers run last in, first out).
	defer engine.Wait()
	// The shell is also where scheduled messages arrive; its own commands
	// are filled in below, once the dispatcher that sends through it exists.
	commands := map[string]func(context.Context, string) string{}
	sh := shell.New(stdin, stdout, shell.Options{User: user, Interactive: cfg.stdinTTY, Commands: commands,
		Known: knownIn(db, shellWorkspace(cfg))})
	sched := schedule.NewScheduler(db, schedule.Options{Now: now, Logger: log, Grace: cfg.grace, Workspace: cfg.workspace})
	disp := outbox.NewDispatcher(db, engine, outbox.Only(sh), outbox.Options{Now: now, Logger: log, Workers: 4})
	if mc := cfg.manual; mc != nil {
		// A demo clock: time moves only when the person says so, and the
		// schedule runs over the time it moved.
		commands["clock"] = clockCommand(mc, sched, disp, log)
	} else if cfg.schedule == "on" || (cfg.schedule == "auto" && cfg.stdinTTY) {
		schedCtx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			if err := sched.Run(schedCtx, time.Minute, func(ctx context.Context) { _ = disp.Drain(ctx) }); err != nil {
				log.Error("scheduler", "err", err)
			}
		}()
	}
	return sh.Run(ctx, engine)
}

// manualClock is a clock that moves only when told to: `okrbot --clock`.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// setTo moves the clock to t.
func (c *manualClock) setTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// target reads "+2h", "+3d" or an RFC 3339 time: where the clock is to go.
func (c *manualClock) target(arg string) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	arg = strings.TrimSpace(arg)
	usage := fmt.Errorf("Usage: /clock +2h, /clock +3d or /clock 2026-11-23T10:00:00Z")
	switch {
	case strings.HasPrefix(arg, "+") && strings.HasSuffix(arg, "d"):
		n, err := strconv.Atoi(arg[1 : len(arg)-1])
		if err != nil || n < 0 || n > 400 {
			return time.Time{}, usage
		}
		return c.t.AddDate(0, 0, n), nil
	case strings.HasPrefix(arg, "+"):
		d, err := time.ParseDuration(arg[1:])
		if err != nil || d < 0 {
			return time.Time{}, usage
		}
		return c.t.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, arg)
	if err != nil {
		return time.Time{}, usage
	}
	if t.Before(c.t) {
		return time.Time{}, fmt.Errorf("The clock only moves forward (it is %s).", c.t.Format(time.RFC3339))
	}
	return t, nil
}
