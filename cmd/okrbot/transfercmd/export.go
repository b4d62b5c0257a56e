package transfercmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/sheet"
)

// Export is okrbot export FILE|-.
func Export(ctx context.Context, cfg Env, stdout, stderr io.Writer) error {
	dest := cfg.Args[0]
	req := Request{Format: cfg.Format, What: cfg.What, Cycle: cfg.Cycle, Workspace: cfg.Workspace, Now: cfg.Now}
	if !cfg.Server {
		if st, err := os.Stat(cfg.DB); err != nil {
			return fmt.Errorf("no database at %s", cfg.DB)
		} else if st.Size() == 0 {
			return fmt.Errorf("the database %s is empty: there is nothing to export", cfg.DB)
		}
	}
	prog := newProgressLine(stderr, cfg.Terminal, time.Now)
	defer prog.end()
	out, commit, abort, err := exportDestination(dest, stdout)
	if err != nil {
		return err
	}
	n := &countingWriter{w: out}
	// An export only reads: the database is opened read-only, as for a
	// backup, and a running okrbot (which holds it alone) is asked.
	db, err := cfg.Open(true)
	switch {
	case err == nil:
		err = runExport(ctx, db, req, n, prog.update)
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close the database: %w", cerr)
		}
	case cfg.Held(err):
		err = askRunning(ctx, cfg.Socket, "export", req, nil, stderr, n, prog)
	}
	if err == nil {
		err = commit()
	}
	if err != nil {
		abort()
		return err
	}
	prog.end()
	if dest != "-" {
		fmt.Fprintf(stdout, "Exported to %s as %s: %s.\n", dest, exportName(req), ByteSize(n.n))
	}
	return nil
}

func exportName(req Request) string {
	switch {
	case req.Format == FormatJSON:
		return "JSON"
	case req.What == "checkins":
		return "CSV of the check-ins"
	}
	return "CSV of the OKRs"
}

// exportDestination opens where the export goes: standard output for
// "-", else a temporary file beside dest that only a finished export
// renames over it, so that a failed export leaves dest as it was.
func exportDestination(dest string, stdout io.Writer) (w io.Writer, commit func() error, abort func(), err error) {
	if dest == "-" {
		return stdout, func() error { return nil }, func() {}, nil
	}
	if st, err := os.Stat(dest); err == nil && st.IsDir() {
		return nil, nil, nil, fmt.Errorf("%s is a directory; give the file to write, such as %s", dest, filepath.Join(dest, "okrbot-export.json"))
	}
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cannot write %s: %s", dest, reason(err))
	}
	tmp := f.Name()
	commit = func() error {
		err := f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, dest)
		}
		if err != nil {
			os.Remove(tmp)
			return fmt.Errorf("cannot write %s: %s", dest, reason(err))
		}
		return nil
	}
	abort = func() {
		f.Close()
		os.Remove(tmp)
	}
	return f, commit, abort, nil
}

// countingWriter counts what passes, for the closing line.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// runExport writes the export req asks for of db to w. It is the same in
// okrbot export and in the running okrbot.
func runExport(ctx context.Context, db okrcore.Store, req Request, w io.Writer, progress func(transfer.Progress)) error {
	ws, cycle, err := exportScope(ctx, db, req)
	if err != nil {
		return err
	}
	if req.Format == FormatJSON {
		if err := transfer.Export(ctx, db, ws, cycle, w, progress); err != nil {
			return exportFailed(ctx, err)
		}
		return nil
	}
	// The spreadsheets are written from the document, which is read back
	// as it is exported rather than encoded whole first.
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(transfer.Export(ctx, db, ws, cycle, pw, progress)) }()
	d, err := transfer.ReadDocument(pr, 0) // its own export: no limit
	pr.CloseWithError(errors.New("the document was read"))
	if err != nil {
		return exportFailed(ctx, err)
	}
	if req.What == "checkins" {
		err = sheet.WriteCheckIns(w, d)
	} else {
		err = sheet.WriteOKRs(w, d, req.Now)
	}
	if err != nil {
		return exportFailed(ctx, err)
	}
	return nil
}

func exportFailed(ctx context.Context, err error) error {
	return transferFailed(ctx, err, "the export was stopped before it finished; no file was written",
		"No file was written.", "the export failed, no file was written")
}

// exportScope finds the workspace to export and the stored name of the
// cycle --cycle names (any case).
func exportScope(ctx context.Context, db okrcore.Store, req Request) (ws, cycle string, err error) {
	wss, err := WorkspacesOf(ctx, db)
	if err != nil {
		return "", "", err
	}
	switch {
	case len(wss) == 0:
		return "", "", errors.New("the database holds no workspace: there is nothing to export")
	case req.Workspace != "":
		for _, w := range wss {
			if w.ID == req.Workspace {
				ws = w.ID
			}
		}
		if ws == "" {
			return "", "", fmt.Errorf("the database has no workspace %q; it holds %s", req.Workspace, ListWorkspaces(wss))
		}
	case len(wss) == 1:
		ws = wss[0].ID
	default:
		return "", "", fmt.Errorf("the database holds %d workspaces: %s; say which to export with --workspace ID", len(wss), ListWorkspaces(wss))
	}
	if req.Cycle == "" {
		return ws, "", nil
	}
	var cycles []*okrcore.Cycle
	if err := db.View(ctx, func(tx okrcore.Tx) error {
		cycles, err = tx.Cycles(ws)
		return err
	}); err != nil {
		return "", "", fmt.Errorf("list the cycles: %w", err)
	}
	names := make([]string, 0, len(cycles))
	for _, c := range cycles {
		if strings.EqualFold(c.Name, strings.TrimSpace(req.Cycle)) {
			return ws, c.Name, nil
		}
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return "", "", fmt.Errorf("workspace %s has no cycles yet, so none called %q", ws, req.Cycle)
	}
	return "", "", fmt.Errorf("workspace %s has no cycle %q; its cycles are %s", ws, req.Cycle, strings.Join(names, ", "))
}
