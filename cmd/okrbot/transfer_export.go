package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/sheet"
)

// exportCommand is okrbot export FILE|-.
func exportCommand(ctx context.Context, cfg *config, stdout, stderr io.Writer, log *slog.Logger) error {
	dest := cfg.args[0]
	req := transferRequest{Format: cfg.format, What: cfg.what, Cycle: cfg.cycle, Workspace: cfg.workspace, Now: cfg.clockNow()}
	if !isServer(cfg.db) {
		if st, err := os.Stat(cfg.db); err != nil {
			return fmt.Errorf("no database at %s", cfg.db)
		} else if st.Size() == 0 {
			return fmt.Errorf("the database %s is empty: there is nothing to export", cfg.db)
		}
	}
	prog := newProgressLine(stderr, isTerminal(stderr), time.Now)
	defer prog.end()
	out, commit, abort, err := exportDestination(dest, stdout)
	if err != nil {
		return err
	}
	n := &countingWriter{w: out}
	// An export only reads: the database is opened read-only, as for a
	// backup, and a running okrbot (which holds it alone) is asked.
	db, err := openBackend(cfg.db, openOptions{log: log, wait: 300 * time.Millisecond, readOnly: true})
	switch {
	case err == nil:
		err = runExport(ctx, db, req, n, prog.update)
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close the database: %w", cerr)
		}
	case errors.Is(err, errHeld):
		err = askRunning(ctx, controlPath(cfg.db), "export", req, nil, stderr, n, prog)
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
		fmt.Fprintf(stdout, "Exported to %s as %s: %s.\n", dest, exportName(req), byteSize(n.n))
	}
	return nil
}

func exportName(req transferRequest) string {
	switch {
	case req.Format == formatJSON:
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
func runExport(ctx context.Context, db okrcore.Store, req transferRequest, w io.Writer, progress func(transfer.Progress)) error {
	ws, cycle, err := exportScope(ctx, db, req)
	if err != nil {
		return err
	}
	if req.Format == formatJSON {
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
func exportScope(ctx context.Context, db okrcore.Store, req transferRequest) (ws, cycle string, err error) {
	wss, err := workspacesOf(ctx, db)
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
			return "", "", fmt.Errorf("the database has no workspace %q; it holds %s", req.Workspace, listWorkspaces(wss))
		}
	case len(wss) == 1:
		ws = wss[0].ID
	default:
		return "", "", fmt.Errorf("the database holds %d workspaces: %s; say which to export with --workspace ID", len(wss), listWorkspaces(wss))
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
