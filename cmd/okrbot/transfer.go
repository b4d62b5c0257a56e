package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// okrbot import and okrbot export. Both work on a database no okrbot
// holds, opened here, and on one a running okrbot holds, through its
// control socket (transfer_control.go): the running process does the work
// on the store it has open, so nobody stops the bot to move a programme in
// or out. What the work is does not depend on where it runs: runImport and
// runExport are called in either process with the same transferRequest.

// defaultImportMaxBytes is larger than any real export: the generated
// Viva Goals export of 10,000 people and 1.3 million check-ins is a small
// part of it, and one of 50,000 people would be too.
const defaultImportMaxBytes = 2 << 30

// transferRequest is what an import or an export is asked to do.
type transferRequest struct {
	Format string `json:"format"`
	// Name is the file's base name, for the readers and for messages.
	Name     string `json:"name,omitempty"`
	Size     int64  `json:"size,omitempty"`
	MaxBytes int64  `json:"max_bytes,omitempty"`
	// Workspace is --workspace; Platform is --platform, and Default the
	// platform whose credentials are configured ("both" when Slack and
	// Teams both are).
	Workspace   string    `json:"workspace,omitempty"`
	Platform    string    `json:"platform,omitempty"`
	Default     string    `json:"default_platform,omitempty"`
	DryRun      bool      `json:"dry_run,omitempty"`
	SkipBadRows bool      `json:"skip_bad_rows,omitempty"`
	What        string    `json:"what,omitempty"`
	Cycle       string    `json:"cycle,omitempty"`
	Now         time.Time `json:"now"`
	// batch caps the records of one write transaction (0: the
	// default). The running okrbot sets it, not the command.
	batch int
}

// Formats the commands read and write.
const (
	formatVivaGoals = "vivagoals"
	formatOkrbot    = "okrbot"
	formatCSV       = "csv"
	formatXLSX      = "xlsx"
	formatJSON      = "json"
)

// checkTransferArgs checks the arguments of okrbot import and export, and
// fills in the defaults that depend on the command.
func checkTransferArgs(cfg *config) error {
	switch cfg.command {
	case "import":
		if len(cfg.args) != 1 {
			return errors.New("usage: okrbot import [--dry-run] [--workspace ID] [--format vivagoals|okrbot|csv|xlsx] [--skip-bad-rows] FILE")
		}
		switch cfg.format {
		case "", formatVivaGoals, formatOkrbot, formatCSV, formatXLSX:
		default:
			return fmt.Errorf("--format %q: okrbot import reads vivagoals, okrbot, csv or xlsx (or leave it out: the format is found from the file)", cfg.format)
		}
		if cfg.what != "" || cfg.cycle != "" {
			return errors.New("--what and --cycle are for okrbot export; an import brings in everything the file holds")
		}
	case "export":
		if len(cfg.args) != 1 {
			return errors.New("usage: okrbot export [--format json|csv] [--what okrs|checkins] [--cycle NAME] [--workspace ID] FILE|-")
		}
		switch cfg.format {
		case "":
			cfg.format = formatJSON
		case formatJSON, formatCSV:
		default:
			return fmt.Errorf("--format %q: okrbot export writes json or csv", cfg.format)
		}
		switch cfg.what {
		case "":
			cfg.what = "okrs"
		case "okrs", "checkins":
		default:
			return fmt.Errorf("--what %q: use okrs (one row per objective, key result and initiative) or checkins (the history)", cfg.what)
		}
		if cfg.what == "checkins" && cfg.format != formatCSV {
			return errors.New("--what checkins is for --format csv: the JSON export holds the whole check-in history already")
		}
		if cfg.dryRun || cfg.skipBadRows || cfg.platform != "" {
			return errors.New("--dry-run, --skip-bad-rows and --platform are for okrbot import")
		}
		return nil
	default:
		return nil
	}
	switch cfg.platform {
	case "", "slack", "teams", shell.Platform:
	default:
		return fmt.Errorf("--platform %q: use slack, teams or shell", cfg.platform)
	}
	if cfg.importMaxBytes < 1 {
		return fmt.Errorf("the import size limit %d: must be at least 1 byte", cfg.importMaxBytes)
	}
	return nil
}

// defaultPlatform is the platform a new workspace is created on when
// --platform does not say: the one whose credentials are configured.
func defaultPlatform(getenv func(string) string) string {
	_, slackSet, _ := slackConfig(getenv)
	_, teamsSet, _ := teamsConfig(getenv)
	switch {
	case slackSet && teamsSet:
		return "both"
	case slackSet:
		return "slack"
	case teamsSet:
		return "teams"
	}
	return shell.Platform
}

// importCommand is okrbot import FILE.
func importCommand(ctx context.Context, cfg *config, stdout, stderr io.Writer, log *slog.Logger) error {
	path := cfg.args[0]
	f, size, err := openImportFile(path, cfg.importMaxBytes)
	if err != nil {
		return err
	}
	defer f.Close()
	format, found := cfg.format, false
	if format == "" {
		if format, err = detectFormat(f, size); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		found = true
	}
	how := "as --format says"
	if found {
		how = "found from its content"
	}
	fmt.Fprintf(stdout, "Reading %s: %s (format %s, %s).\n", path, formatName(format), format, how)
	req := transferRequest{Format: format, Name: filepath.Base(path), Size: size, MaxBytes: cfg.importMaxBytes,
		Workspace: cfg.workspace, Platform: cfg.platform, Default: defaultPlatform(cfg.getenv),
		DryRun: cfg.dryRun, SkipBadRows: cfg.skipBadRows, Now: cfg.clockNow()}
	prog := newProgressLine(stderr, isTerminal(stderr), time.Now)
	defer prog.end()

	if !isServer(cfg.db) {
		if err := checkDatabasePath(cfg.db); err != nil {
			return err
		}
		if err := refuseEmpty(cfg.db, cfg.init); err != nil {
			return err
		}
	}
	_, statErr := os.Stat(cfg.db)
	fresh := errors.Is(statErr, os.ErrNotExist) && !isServer(cfg.db)
	db, err := openBackend(cfg.db, openOptions{log: log, wait: 300 * time.Millisecond})
	if errors.Is(err, errHeld) {
		return askRunning(ctx, controlPath(cfg.db), "import", req, f, stdout, nil, prog)
	}
	if err != nil {
		return err
	}
	err = importHere(ctx, db, req, f, stdout, prog, log)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the database: %w", cerr)
	}
	// A database this command made for an import that wrote nothing (a
	// dry run, a refused file) is not left behind as if it held one.
	if fresh && (err != nil || req.DryRun) {
		_ = os.Remove(cfg.db)
	}
	return err
}

// importHere imports on a database this process opened: first it rolls
// back an import that stopped half way, as serve does when it starts.
func importHere(ctx context.Context, db okrcore.Store, req transferRequest, f io.ReaderAt, stdout io.Writer, prog *progressLine, log *slog.Logger) error {
	if err := recoverImport(ctx, db, log); err != nil {
		return err
	}
	return runImport(ctx, db, req, f, stdout, prog.update)
}

// recoverImport rolls back an import that stopped half way (a crash, a
// kill) before anything else uses the store, and says what it did.
func recoverImport(ctx context.Context, db okrcore.Store, log *slog.Logger) error {
	n, err := transfer.Recover(ctx, db)
	if err != nil {
		return fmt.Errorf("roll back the import that stopped half way: %w", err)
	}
	if n > 0 {
		log.Warn("rolled back an import that stopped half way", "records", n)
	}
	return nil
}

// openImportFile opens the file to import and checks its size against the
// limit before anything reads it.
func openImportFile(path string, maxBytes int64) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read %s: %s", path, reason(err))
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, 0, fmt.Errorf("cannot read %s: %s", path, reason(err))
	case st.IsDir():
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory; give the export file itself (a Viva Goals export is one .zip)", path)
	case st.Size() > maxBytes:
		f.Close()
		return nil, 0, fmt.Errorf("%s is %s, over the import limit of %s; nothing was imported (raise import.max_bytes or OKRBOT_IMPORT_MAX_BYTES if the file is right)",
			path, byteSize(st.Size()), byteSize(maxBytes))
	case st.Size() == 0:
		f.Close()
		return nil, 0, fmt.Errorf("%s is empty: there is nothing to import", path)
	}
	return f, st.Size(), nil
}

// byteSize is a size as people read it: "2.0 GiB", "512 KiB", "17 bytes".
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// runImport reads the file f as req says, imports it into db and writes
// the summary to out. It is the same in okrbot import and in the running
// okrbot. Another tool's file says nothing of okrbot's workspaces, so the
// workspace is found first and a wrong one said before a large file is
// read; okrbot's own export names the workspace it came from, which is
// where it goes back by default.
func runImport(ctx context.Context, db okrcore.Store, req transferRequest, f io.ReaderAt, out io.Writer, progress func(transfer.Progress)) error {
	var src transfer.Source
	var from *okrcore.Workspace
	if req.Format == formatOkrbot {
		progress(transfer.Progress{Phase: "read"})
		d, err := readSource(req, f)
		if err != nil {
			return err
		}
		src, from = d, d.(*transfer.Document).Workspace
	}
	ws, platform, err := importWorkspace(ctx, db, req, from)
	if err != nil {
		return err
	}
	if src == nil {
		progress(transfer.Progress{Phase: "read"})
		if src, err = readSource(req, f); err != nil {
			return err
		}
	}
	sum, err := transfer.Import(ctx, db, src, transfer.Options{Workspace: ws, Platform: platform, DryRun: req.DryRun, Now: req.Now, Batch: req.batch, Progress: progress})
	if err != nil {
		return importFailed(ctx, err)
	}
	if err := sum.Write(out); err != nil {
		return fmt.Errorf("write the summary: %w", err)
	}
	return nil
}

// importFailed is the one line an import that did not land ends with.
func importFailed(ctx context.Context, err error) error {
	return transferFailed(ctx, err, "the import was stopped before it finished; nothing of it was kept",
		"Nothing was imported.", "the import failed and nothing of it was kept")
}

// transferFailed says why an import or export ended without its result:
// stopped, refused in okrcore's words (then what was left undone), or
// failed.
func transferFailed(ctx context.Context, err error, stopped, undone, failed string) error {
	if ctx.Err() != nil {
		return errors.New(stopped)
	}
	if msg := okrcore.ErrorMessage(err); msg != "" {
		return errors.New(sentence(msg) + " " + undone)
	}
	return fmt.Errorf("%s: %w", failed, err)
}

// importWorkspace picks the workspace an import writes into and the
// platform it is created on when the database does not hold it yet. from
// is the workspace an okrbot export came from, nil for other files.
func importWorkspace(ctx context.Context, db okrcore.Store, req transferRequest, from *okrcore.Workspace) (ws, platform string, err error) {
	wss, err := workspacesOf(ctx, db)
	if err != nil {
		return "", "", err
	}
	if from != nil && from.ID != "" {
		if from.Platform != "" {
			// A workspace made for the export is made where it was.
			req.Default = from.Platform
		}
		if req.Workspace == "" && (len(wss) == 0 || slices.ContainsFunc(wss, func(w *okrcore.Workspace) bool { return w.ID == from.ID })) {
			req.Workspace = from.ID
		}
	}
	if req.Workspace != "" {
		for _, w := range wss {
			if w.ID == req.Workspace {
				return w.ID, w.Platform, nil
			}
		}
		if len(wss) > 0 && req.Platform == "" {
			return "", "", fmt.Errorf("the database has no workspace %q; it holds %s: import into one of them with --workspace, or create %s by adding --platform slack, teams or shell",
				req.Workspace, listWorkspaces(wss), req.Workspace)
		}
		p, err := req.newPlatform()
		return req.Workspace, p, err
	}
	switch len(wss) {
	case 1:
		return wss[0].ID, wss[0].Platform, nil
	case 0:
		p, err := req.newPlatform()
		if err != nil {
			return "", "", err
		}
		if p == shell.Platform {
			// The terminal chat reads this one workspace.
			return shell.Workspace, p, nil
		}
		return "", "", fmt.Errorf("the database holds no workspace yet: say which to create with --workspace ID (the id /okr whoami shows in %s)", platformName(p))
	}
	return "", "", fmt.Errorf("the database holds %d workspaces: %s; say which to import into with --workspace ID", len(wss), listWorkspaces(wss))
}

// newPlatform is the platform a new workspace is created on.
func (r transferRequest) newPlatform() (string, error) {
	if r.Platform != "" {
		return r.Platform, nil
	}
	if r.Default == "both" {
		return "", errors.New("both Slack and Teams are configured: say which the new workspace is on with --platform slack or --platform teams")
	}
	if r.Default == "" {
		return shell.Platform, nil
	}
	return r.Default, nil
}

func platformName(p string) string {
	switch p {
	case "slack":
		return "Slack"
	case "teams":
		return "Teams"
	}
	return p
}

// workspacesOf lists the database's workspaces.
func workspacesOf(ctx context.Context, db okrcore.Store) ([]*okrcore.Workspace, error) {
	var wss []*okrcore.Workspace
	err := db.View(ctx, func(tx okrcore.Tx) error {
		var err error
		wss, err = tx.Workspaces()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the workspaces: %w", err)
	}
	return wss, nil
}

// listWorkspaces names workspaces for a message: "T1 (slack), local
// (shell)", the first ten of them.
func listWorkspaces(wss []*okrcore.Workspace) string {
	const most = 10
	names := make([]string, 0, min(len(wss), most))
	for i, w := range wss {
		if i == most {
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", w.ID, w.Platform))
	}
	s := strings.Join(names, ", ")
	if len(wss) > most {
		s += fmt.Sprintf(" and %d more", len(wss)-most)
	}
	return s
}

// clockNow is the time records are stamped with when their source gives
// none: --clock's when it is set.
func (cfg *config) clockNow() time.Time {
	if cfg.now != nil {
		return cfg.now()
	}
	return time.Now()
}
