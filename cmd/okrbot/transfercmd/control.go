package transfercmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// Import and export through a running okrbot. The command sends one
// request line, "import" or "export" and its Request as JSON; an
// import then streams exactly Size bytes of the file. The running okrbot
// answers with lines, each a tag and its text:
//
//	progress PHASE DONE TOTAL   how far the work has come
//	say TEXT                    a line of the command's output
//	data N                      N bytes of the export follow
//	done                        the work finished
//	fail REASON                 it did not; REASON is for people
//
// The command renders the progress itself (on its terminal or not), so a
// progress line reads the same wherever the work runs. When the command
// goes away (Ctrl-C), its connection closes and the work is stopped: an
// import stopped half way is rolled back.

// relayEvery is how often a running okrbot sends progress: the command
// shows a line every few seconds at most, so more would be noise.
const relayEvery = 250 * time.Millisecond

// servingBatch is how many records one transaction of an import writes
// in a running okrbot, and servingRest the pause after each: enough for
// the store to commit the chat writes that waited for the transaction on
// their own rather than with the import's next (transfer.Options.Rest);
// 2,600 transactions of 1.3 M records take a few seconds longer.
const (
	servingBatch = 500
	servingRest  = time.Millisecond
)

// relay writes the answer to a transfer request.
type relay struct {
	mu   sync.Mutex
	w    *bufio.Writer
	last time.Time
	err  error
}

func newRelay(conn io.Writer) *relay { return &relay{w: bufio.NewWriterSize(conn, 64<<10)} }

func (r *relay) line(tag, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.w.WriteString(tag)
	if text != "" {
		r.w.WriteByte(' ')
		r.w.WriteString(text)
	}
	r.w.WriteByte('\n')
	r.err = r.w.Flush()
	return r.err
}

func (r *relay) progress(p transfer.Progress) {
	r.mu.Lock()
	due := time.Since(r.last) >= relayEvery || (p.Total > 0 && p.Done == p.Total)
	if due {
		r.last = time.Now()
	}
	r.mu.Unlock()
	if due {
		phase := strings.ReplaceAll(p.Phase, " ", "_")
		if phase == "" {
			phase = "-"
		}
		_ = r.line("progress", fmt.Sprintf("%s %d %d", phase, p.Done, p.Total))
	}
}

// Write sends export bytes as one data frame.
func (r *relay) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	fmt.Fprintf(r.w, "data %d\n", len(p))
	if _, err := r.w.Write(p); err != nil {
		r.err = err
		return 0, err
	}
	return len(p), nil
}

// say sends text as output lines.
func (r *relay) say(text string) {
	for line := range strings.Lines(text) {
		_ = r.line("say", strings.TrimRight(line, "\r\n"))
	}
}

// finish sends the outcome.
func (r *relay) finish(err error) {
	if err != nil {
		_ = r.line("fail", oneLine(err.Error()))
		return
	}
	_ = r.line("done", "")
}

// oneLine keeps a reason to one line, as the protocol and the person's
// terminal want it.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Call is one request on a running okrbot's control socket, as its
// handler gets it: the handler owns the connection until it returns.
type Call struct {
	Args string    // the request line after its name
	Dir  string    // the database's directory, for the file an import keeps
	In   io.Reader // what the command streams after the request line
	Out  io.Writer // the connection
	DB   okrcore.Store
	Log  *slog.Logger
}

// refuse answers the request with a sentence for the person who ran the
// command, as every control request is refused.
func (c *Call) refuse(reason string) {
	_, _ = io.WriteString(c.Out, "ERR "+reason+"\n")
}

// readTransferRequest reads the JSON of a request line, in one of the
// formats given.
func readTransferRequest(c *Call, formats ...string) (Request, bool) {
	var req Request
	if err := json.Unmarshal([]byte(c.Args), &req); err != nil || req.Size < 0 {
		c.refuse("the request could not be read; are okrbot and the running okrbot the same version?")
		return req, false
	}
	if !slices.Contains(formats, req.Format) {
		c.refuse(fmt.Sprintf("the running okrbot does not know the format %q; are okrbot and the running okrbot the same version?", req.Format))
		return req, false
	}
	return req, true
}

// untilGone returns a context that ends when the command's connection
// closes: the person pressed Ctrl-C, or the command died.
func untilGone(ctx context.Context, in io.Reader) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		_, _ = io.Copy(io.Discard, in)
		cancel()
	}()
	return ctx, cancel
}

// ServeImport runs an import in the running okrbot, on its open store.
func ServeImport(ctx context.Context, c *Call) {
	req, ok := readTransferRequest(c, FormatVivaGoals, FormatOkrbot, FormatCSV, FormatXLSX)
	if !ok {
		return
	}
	r := newRelay(c.Out)
	if req.MaxBytes > 0 && req.Size > req.MaxBytes {
		r.finish(fmt.Errorf("the file is %s, over the import limit of %s; nothing was imported", ByteSize(req.Size), ByteSize(req.MaxBytes)))
		return
	}
	// The readers need to go back and forth in the file (a zip's
	// directory is at its end), so it is kept beside the database while
	// it is read; readable by okrbot's user only, and gone afterwards.
	f, err := os.CreateTemp(c.Dir, ".okrbot-import-*")
	if err != nil {
		r.finish(fmt.Errorf("the running okrbot cannot keep the file while it reads it: %s", reason(err)))
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if n, err := io.CopyN(f, c.In, req.Size); err != nil {
		r.finish(fmt.Errorf("the file was cut short on its way to the running okrbot (%d of %d bytes came); nothing was imported", n, req.Size))
		return
	}
	ctx, cancel := untilGone(ctx, c.In)
	defer cancel()
	c.Log.Info("import over control socket", "format", req.Format, "bytes", req.Size, "dry_run", req.DryRun)
	// Chat's writes wait for each of the import's transactions, so they
	// are kept short while okrbot serves.
	req.batch, req.rest = servingBatch, servingRest
	var out bytes.Buffer
	// Reading and planning take a processor for seconds to minutes; chat
	// is answered first (inBackground). The writes wait in the store's
	// commits, as chat's do.
	inBackground(c.Log, func() { err = runImport(ctx, c.DB, req, f, &out, r.progress) })
	r.say(out.String())
	if err != nil {
		c.Log.Info("import over control socket refused", "err", err)
	}
	r.finish(err)
}

// ServeExport streams an export from the running okrbot. It reads in
// one read transaction, a snapshot, so chat is answered meanwhile.
func ServeExport(ctx context.Context, c *Call) {
	req, ok := readTransferRequest(c, FormatJSON, FormatCSV)
	if !ok {
		return
	}
	ctx, cancel := untilGone(ctx, c.In)
	defer cancel()
	r := newRelay(c.Out)
	// Frames of a quarter MiB: the framing costs nothing next to them.
	data := bufio.NewWriterSize(r, 256<<10)
	err := runExport(ctx, c.DB, req, data, r.progress)
	if err == nil {
		err = data.Flush()
	}
	if err != nil {
		c.Log.Info("export over control socket failed", "err", err)
	}
	r.finish(err)
}

// askRunning sends a transfer request to the running okrbot on sock and
// renders its answer: progress on prog, output lines on out, export bytes
// on data. upload, when set, is the file an import streams.
func askRunning(ctx context.Context, sock, name string, req Request, upload io.Reader, out, data io.Writer, prog *progressLine) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return fmt.Errorf("the database is in use and the running okrbot does not answer on %s: %s", sock, reason(err))
	}
	defer conn.Close()
	// Ctrl-C closes the connection, which stops the work over there.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("encode the request: %w", err)
	}
	if _, err := fmt.Fprintf(conn, "%s %s\n", name, body); err != nil {
		return fmt.Errorf("the running okrbot does not take requests: %s", reason(err))
	}
	if upload != nil {
		// Sent beside the reading: a refusal may come before the file is
		// all sent, and then the write fails, which the answer explains.
		go func() { _, _ = io.Copy(conn, upload) }()
	}
	err = readAnswer(bufio.NewReaderSize(conn, 256<<10), out, data, prog)
	if ctx.Err() != nil {
		return fmt.Errorf("stopped: the running okrbot was told to stop the %s", name)
	}
	return err
}

// readAnswer reads the running okrbot's answer to the end.
func readAnswer(in *bufio.Reader, out, data io.Writer, prog *progressLine) error {
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return errors.New("the running okrbot stopped answering before it finished (an import stopped half way is rolled back when okrbot starts again)")
		}
		tag, text, _ := strings.Cut(strings.TrimRight(line, "\n"), " ")
		switch tag {
		case "progress":
			if p, ok := ParseProgress(text); ok {
				prog.update(p)
			}
		case "say":
			prog.end()
			fmt.Fprintln(out, text)
		case "data":
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil || n < 0 || data == nil {
				return errors.New("the running okrbot sent what this okrbot cannot read; are they the same version?")
			}
			if _, err := io.CopyN(data, in, n); errors.Is(err, io.EOF) {
				return errors.New("the running okrbot stopped answering before the export was complete; no file was written")
			} else if err != nil {
				return fmt.Errorf("the export could not be written: %s", reason(err))
			}
		case "done":
			return nil
		case "fail", "ERR":
			if text == "unknown request" {
				return errors.New("the running okrbot is an older version that cannot import or export; restart it with this one")
			}
			return errors.New(text)
		default:
			return errors.New("the running okrbot sent what this okrbot cannot read; are they the same version?")
		}
	}
}

// ParseProgress reads the text of a progress line.
func ParseProgress(text string) (transfer.Progress, bool) {
	f := strings.Fields(text)
	if len(f) != 3 {
		return transfer.Progress{}, false
	}
	done, err1 := strconv.Atoi(f[1])
	total, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return transfer.Progress{}, false
	}
	phase := strings.ReplaceAll(f[0], "_", " ")
	if phase == "-" {
		phase = ""
	}
	return transfer.Progress{Phase: phase, Done: done, Total: total}, true
}
