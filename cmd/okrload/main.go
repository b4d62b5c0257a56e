// Command okrload puts okrbot under load through the code paths people
// use, on a generated organisation of --people (or one kept with --db),
// and prints one line of key=value figures at the end (a progress line
// every few seconds goes to stderr):
//
//	okrload slash   [--people N] [--rate R] [--seconds S] [--first-contact] [--database-url URL [--replicas N]] [--okrbot PATH] [--cpuprofile FILE]
//	okrload burst   [--people N] [--writers W] [--checkins C] [--database-url URL] [--cpuprofile FILE]
//	okrload fanout  [--people N] [--limit L] [--ceiling C] [--cpuprofile FILE]
//	okrload reports [--people N] [--checkins-per-kr K] [--cpuprofile FILE]
//
// slash runs `okrbot serve` in Slack's HTTP mode against a fake Slack on
// loopback and sends it signed `/okr mine` and `/okr team` from an
// open-loop generator, then the Slack adapter alone with a fixed answer at
// the same rate, for the figure the engine adds. burst sends check-ins as
// chat messages through the engine from several people at once. fanout
// sends the Monday nudges through the dispatcher and the Slack adapter to
// a fake Slack that enforces a limit the dispatcher is not told. reports
// times the manager digest, the adoption report and a scheduler tick with
// nobody due. slash and burst run on PostgreSQL with --database-url (a
// schema of the run's own), slash then over --replicas okrbot serve
// processes, the requests spread over them in turn.
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
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

// scenario is one kind of load: its flags, and its run.
type scenario struct {
	name, summary string
	flags         func(fs *flag.FlagSet, c *config)
	check         func(c *config) error
	run           func(ctx context.Context, c *config, log *progress) (figures, error)
}

// config is every flag; each scenario reads its own.
type config struct {
	people       int
	db           string
	databaseURL  string // slash, burst: a PostgreSQL server instead of a bbolt file
	replicas     int    // slash: okrbot serve processes on that database
	every        time.Duration
	rate         int
	seconds      float64
	firstContact bool
	okrbot       string
	cpuProfile   string // slash: of okrbot serve under load; the others: of this process, which runs the code under load
	writers      int
	checkins     int
	limit        float64
	ceiling      float64
	perKR        int
	tempDir      string       // where generated files and copies go
	log          *slog.Logger // the code under load logs its errors here (stderr)
}

var scenarios = []scenario{
	{name: "slash", summary: "signed /okr mine and /okr team against okrbot serve, open loop", flags: slashFlags, check: checkSlash, run: runSlash},
	{name: "burst", summary: "check-ins as chat messages through the engine from several people at once", flags: burstFlags, check: checkBurst, run: runBurst},
	{name: "fanout", summary: "the Monday nudges through the dispatcher to a fake Slack with a hidden limit", flags: fanoutFlags, check: checkFanout, run: runFanout},
	{name: "reports", summary: "manager digest, adoption report and a tick with nobody due", flags: reportsFlags, check: checkReports, run: runReports},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage is a mistake in the command line, already explained.
var errUsage = errors.New("usage")

// run is the program: 0 when the scenario ran, 2 for a bad command line,
// 1 when the run failed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	sc, c, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "okrload: %s\n", err)
		}
		return 2
	}
	dir, err := os.MkdirTemp("", "okrload-")
	if err != nil {
		fmt.Fprintf(stderr, "okrload: cannot make a temporary directory: %s\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	c.tempDir = dir
	// Errors of the code under load go to stderr: a run that fails says why.
	c.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	log := newProgress(stderr, sc.name, c.every)
	// slash profiles the okrbot serve it runs; the others run the code
	// under load in this process.
	self := c.cpuProfile
	if sc.name == "slash" {
		self = ""
	}
	stopProfile, err := startProfile(self)
	if err != nil {
		fmt.Fprintf(stderr, "okrload: %s\n", err)
		return 1
	}
	figs, err := sc.run(ctx, c, log)
	log.stop()
	if perr := stopProfile(); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		fmt.Fprintf(stderr, "okrload %s: %s\n", sc.name, err)
		return 1
	}
	fmt.Fprintln(stdout, figs.String())
	return 0
}

// startProfile starts a CPU profile into path (nothing when path is
// empty) and returns what ends it: the profile of a run shows where its
// figures come from.
func startProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cannot write the CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot start the CPU profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("write the CPU profile: %w", err)
		}
		return nil
	}, nil
}

// parse reads the scenario's name and its flags.
func parse(args []string, stderr io.Writer) (*scenario, *config, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			usage(stderr)
			return nil, nil, flag.ErrHelp
		}
		fmt.Fprintln(stderr, "okrload: name a scenario first: slash, burst, fanout or reports")
		usage(stderr)
		return nil, nil, errUsage
	}
	var sc *scenario
	for i := range scenarios {
		if scenarios[i].name == args[0] {
			sc = &scenarios[i]
		}
	}
	if sc == nil {
		fmt.Fprintf(stderr, "okrload: there is no scenario %q; choose slash, burst, fanout or reports\n", args[0])
		return nil, nil, errUsage
	}
	c := &config{}
	fs := flag.NewFlagSet("okrload "+sc.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.people, "people", 10000, "how many people the generated organisation has")
	fs.StringVar(&c.db, "db", "", "a bbolt file holding a generated organisation to reuse (made there when missing; each run works on a copy)")
	fs.DurationVar(&c.every, "progress", 5*time.Second, "how often a progress line goes to stderr")
	sc.flags(fs, c)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, errUsage // the flag package said what was wrong
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("%s takes no arguments after its flags; %q is one too many", sc.name, fs.Arg(0))
	}
	if c.people < 10 || c.people > 1000000 {
		return nil, nil, fmt.Errorf("--people %d: give between 10 and 1000000 people", c.people)
	}
	if c.every <= 0 {
		return nil, nil, fmt.Errorf("--progress %s: give a positive interval, such as 5s", c.every)
	}
	if err := sc.check(c); err != nil {
		return nil, nil, err
	}
	return sc, c, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: okrload SCENARIO [flags]; okrload SCENARIO -h lists a scenario's flags")
	for _, sc := range scenarios {
		fmt.Fprintf(w, "  %-8s %s\n", sc.name, sc.summary)
	}
}
