// Package transfercmd is okrbot import and okrbot export. Both work on a
// database no okrbot holds, opened here, and on one a running okrbot
// holds, through its control socket (control.go): the running process
// does the work on the store it has open, so nobody stops the bot to move
// a programme in or out. What the work is does not depend on where it
// runs: runImport and runExport are called in either process with the
// same Request.
package transfercmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

// DefaultImportMaxBytes is larger than any real export: the generated
// Viva Goals export of 10,000 people and 1.3 million check-ins is a small
// part of it, and one of 50,000 people would be too.
const DefaultImportMaxBytes = 2 << 30

// Request is what an import or an export is asked to do.
type Request struct {
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
	// default), rest is the pause after each. The running okrbot sets
	// them, not the command.
	batch int
	rest  time.Duration
}

// Formats the commands read and write.
const (
	FormatVivaGoals = "vivagoals"
	FormatOkrbot    = "okrbot"
	FormatCSV       = "csv"
	FormatXLSX      = "xlsx"
	FormatJSON      = "json"
)

// Flags are what the command line says to okrbot import and export.
type Flags struct {
	Command             string
	Args                []string
	Format, What, Cycle string
	Workspace, Platform string
	DryRun, SkipBadRows bool
	ImportMaxBytes      int64
}

// Env is what the commands need of the program that runs them.
type Env struct {
	Flags
	// DB is the database setting; Server says it names a database server
	// rather than a file (which has a lock and a control socket).
	DB     string
	Server bool
	// Socket is the control socket of a running okrbot that holds DB.
	Socket string
	// DefaultPlatform is the platform whose credentials are configured
	// ("both" when Slack and Teams both are, "" for none).
	DefaultPlatform string
	// Now stamps records whose source gives no time.
	Now time.Time
	// Terminal says the command's standard error is a terminal.
	Terminal bool
	// CheckFile checks a database file before an import opens it.
	CheckFile func() error
	// Open opens the database; Held tells its error when a running
	// okrbot holds the database, which is then asked instead.
	Open func(readOnly bool) (Store, error)
	Held func(error) bool
	Log  *slog.Logger
}

// Store is an open database.
type Store interface {
	okrcore.Store
	Close() error
}

// CheckArgs checks the arguments of okrbot import and export, and fills
// in the defaults that depend on the command.
func CheckArgs(cfg *Flags) error {
	switch cfg.Command {
	case "import":
		if len(cfg.Args) != 1 {
			return errors.New("usage: okrbot import [--dry-run] [--workspace ID] [--format vivagoals|okrbot|csv|xlsx] [--skip-bad-rows] FILE")
		}
		switch cfg.Format {
		case "", FormatVivaGoals, FormatOkrbot, FormatCSV, FormatXLSX:
		default:
			return fmt.Errorf("--format %q: okrbot import reads vivagoals, okrbot, csv or xlsx (or leave it out: the format is found from the file)", cfg.Format)
		}
		if cfg.What != "" || cfg.Cycle != "" {
			return errors.New("--what and --cycle are for okrbot export; an import brings in everything the file holds")
		}
	case "export":
		if len(cfg.Args) != 1 {
			return errors.New("usage: okrbot export [--format json|csv] [--what okrs|checkins] [--cycle NAME] [--workspace ID] FILE|-")
		}
		switch cfg.Format {
		case "":
			cfg.Format = FormatJSON
		case FormatJSON, FormatCSV:
		default:
			return fmt.Errorf("--format %q: okrbot export writes json or csv", cfg.Format)
		}
		switch cfg.What {
		case "":
			cfg.What = "okrs"
		case "okrs", "checkins":
		default:
			return fmt.Errorf("--what %q: use okrs (one row per objective, key result and initiative) or checkins (the history)", cfg.What)
		}
		if cfg.What == "checkins" && cfg.Format != FormatCSV {
			return errors.New("--what checkins is for --format csv: the JSON export holds the whole check-in history already")
		}
		if cfg.DryRun || cfg.SkipBadRows || cfg.Platform != "" {
			return errors.New("--dry-run, --skip-bad-rows and --platform are for okrbot import")
		}
		return nil
	default:
		return nil
	}
	switch cfg.Platform {
	case "", "slack", "teams", shell.Platform:
	default:
		return fmt.Errorf("--platform %q: use slack, teams or shell", cfg.Platform)
	}
	if cfg.ImportMaxBytes < 1 {
		return fmt.Errorf("the import size limit %d: must be at least 1 byte", cfg.ImportMaxBytes)
	}
	return nil
}

// Import is okrbot import FILE.
func Import(ctx context.Context, cfg Env, stdout, stderr io.Writer) error {
	log := cfg.Log
	path := cfg.Args[0]
	f, size, err := openImportFile(path, cfg.ImportMaxBytes)
	if err != nil {
		return err
	}
	defer f.Close()
	format, found := cfg.Format, false
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
	req := Request{Format: format, Name: filepath.Base(path), Size: size, MaxBytes: cfg.ImportMaxBytes,
		Workspace: cfg.Workspace, Platform: cfg.Platform, Default: cfg.DefaultPlatform,
		DryRun: cfg.DryRun, SkipBadRows: cfg.SkipBadRows, Now: cfg.Now}
	prog := newProgressLine(stderr, cfg.Terminal, time.Now)
	defer prog.end()

	if !cfg.Server {
		if err := cfg.CheckFile(); err != nil {
			return err
		}
	}
	_, statErr := os.Stat(cfg.DB)
	fresh := errors.Is(statErr, os.ErrNotExist) && !cfg.Server
	db, err := cfg.Open(false)
	if err != nil && cfg.Held(err) {
		return askRunning(ctx, cfg.Socket, "import", req, f, stdout, nil, prog)
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
		_ = os.Remove(cfg.DB)
	}
	return err
}

// importHere imports on a database this process opened: first it rolls
// back an import that stopped half way, as serve does when it starts.
func importHere(ctx context.Context, db okrcore.Store, req Request, f io.ReaderAt, stdout io.Writer, prog *progressLine, log *slog.Logger) error {
	if err := Recover(ctx, db, log); err != nil {
		return err
	}
	return runImport(ctx, db, req, f, stdout, prog.update)
}

// Recover rolls back an import that stopped half way (a crash, a kill)
// before anything else uses the store, and says what it did.
func Recover(ctx context.Context, db okrcore.Store, log *slog.Logger) error {
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
			path, ByteSize(st.Size()), ByteSize(maxBytes))
	case st.Size() == 0:
		f.Close()
		return nil, 0, fmt.Errorf("%s is empty: there is nothing to import", path)
	}
	return f, st.Size(), nil
}

// ByteSize is a size as people read it: "2.0 GiB", "512 KiB", "17 bytes".
func ByteSize(n int64) string {
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
func runImport(ctx context.Context, db okrcore.Store, req Request, f io.ReaderAt, out io.Writer, progress func(transfer.Progress)) error {
	defer limitMemory()()
	var src transfer.Source
	var from *okrcore.Workspace
	if req.Format == FormatOkrbot {
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
	sum, err := transfer.Import(ctx, db, src, transfer.Options{Workspace: ws, Platform: platform, DryRun: req.DryRun, Now: req.Now, Batch: req.batch, Rest: req.rest, Progress: progress})
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
func importWorkspace(ctx context.Context, db okrcore.Store, req Request, from *okrcore.Workspace) (ws, platform string, err error) {
	wss, err := WorkspacesOf(ctx, db)
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
				req.Workspace, ListWorkspaces(wss), req.Workspace)
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
		return "", "", fmt.Errorf("the database holds no workspace yet: say which to create with --workspace ID (the id /okr whoami shows in %s)", PlatformName(p))
	}
	return "", "", fmt.Errorf("the database holds %d workspaces: %s; say which to import into with --workspace ID", len(wss), ListWorkspaces(wss))
}

// newPlatform is the platform a new workspace is created on.
func (r Request) newPlatform() (string, error) {
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

// PlatformName names a platform for people.
func PlatformName(p string) string {
	switch p {
	case "slack":
		return "Slack"
	case "teams":
		return "Teams"
	}
	return p
}

// WorkspacesOf lists the database's workspaces.
func WorkspacesOf(ctx context.Context, db okrcore.Store) ([]*okrcore.Workspace, error) {
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

// ListWorkspaces names workspaces for a message: "T1 (slack), local
// (shell)", the first ten of them.
func ListWorkspaces(wss []*okrcore.Workspace) string {
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
