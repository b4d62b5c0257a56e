package transfer

import (
	"context"
	"fmt"

	"github.com/okrbot/okrbot/okrcore"
)

// Import brings src into the workspace opts names (a Document's own when
// it names none): it plans everything in one read transaction, refusing
// the whole source on the first record that cannot be imported, then,
// unless opts.DryRun, writes it in bounded transactions under a journal,
// so that it all lands or nothing does. It refuses to start while another
// import into the workspace is running or one stopped half way (Recover
// rolls that back when okrbot starts; rolling it back here could undo an
// import still running). The summary says what was (or, dry, would be)
// done.
func Import(ctx context.Context, s okrcore.Store, src Source, opts Options) (*Summary, error) {
	if opts.Progress != nil {
		opts.Progress(Progress{Phase: "plan"})
	}
	var pre *checkInPlan
	if prog, ok := src.(*Programme); ok {
		var err error
		if pre, err = collectCheckIns(prog); err != nil {
			return nil, fmt.Errorf("plan import: read the check-ins: %w", err)
		}
	}
	var started *planner
	p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) {
		ws := opts.Workspace
		if d, ok := src.(*Document); ok && ws == "" && d.Workspace != nil {
			ws = d.Workspace.ID
		}
		if ws == "" {
			return nil, okrcore.Errorf(okrcore.KindInvalid, "Say which workspace to import into.")
		}
		if j, err := journalOf(tx, ws); err != nil {
			return nil, err
		} else if j != nil {
			return nil, busy(ws)
		}
		switch src := src.(type) {
		case *Document:
			return planDocument(tx, src, opts)
		case *Programme:
			var err error
			started, err = startProgramme(tx, src, pre, opts)
			return nil, err
		}
		return nil, fmt.Errorf("import: unknown source %T", src)
	})
	if err == nil && started != nil {
		// A Programme's check-ins are planned after the read transaction,
		// reading each stored history in one of its own: planning a
		// million of them takes seconds, and while a read transaction is
		// open the store cannot grow its file for chat's writes, which
		// wait.
		started.tx = nil
		started.reads = func(fn func(okrcore.Tx) error) error { return s.View(ctx, fn) }
		p, err = started.finish()
	}
	if err != nil {
		return nil, err
	}
	p.summary.DryRun = opts.DryRun
	if opts.DryRun {
		return &p.summary, nil
	}
	if err := p.write(ctx, s, opts); err != nil {
		return nil, err
	}
	return &p.summary, nil
}
