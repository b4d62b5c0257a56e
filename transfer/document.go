package transfer

import (
	"context"
	"io"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer/document"
)

// Export writes the Document of workspace ws to w: every record, or with
// cycle set (a cycle's name) that cycle, its objectives, key results,
// their initiatives and check-ins, and every person and team, who may own
// or have written them (see FORMAT.md). It reads one read transaction, a
// consistent snapshot that does not hold writers up, and streams, holding
// one history at a time; progress has a Total only at the end. The
// writing is transfer/document's.
func Export(ctx context.Context, s okrcore.Store, ws, cycle string, w io.Writer, progress func(Progress)) error {
	var told func(done, total int)
	if progress != nil {
		told = func(done, total int) { progress(Progress{Phase: "export", Done: done, Total: total}) }
	}
	return document.Write(ctx, s, ws, cycle, w, told)
}

// ReadDocument reads okrbot's export. It refuses, with one sentence, what
// is not one: another format, a newer version, JSON that is malformed or
// cut off, a field it does not know (which it would otherwise drop), a
// file over maxBytes (no limit when maxBytes <= 0). The reading is
// transfer/document's.
func ReadDocument(r io.Reader, maxBytes int64) (*Document, error) {
	d, err := document.Read(r, maxBytes)
	return (*Document)(d), err
}
