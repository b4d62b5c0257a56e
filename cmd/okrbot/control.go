package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A running okrbot holds an exclusive lock on its database, so a second
// process cannot read it. The running process therefore listens on a Unix
// socket next to the database file (mode 0600: only the same user may use
// it) and streams a consistent copy to `okrbot backup`.

func controlPath(db string) string { return db + ".sock" }

// control is the listening socket and the requests it is answering.
type control struct {
	ln     net.Listener
	path   string
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	closing bool
	calls   sync.WaitGroup
}

// Close refuses new requests, ends those in flight (an import stops and
// is rolled back from its journal) and waits for them, so that the store
// is never closed under a request.
func (c *control) Close() error {
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	err := c.ln.Close()
	c.cancel()
	<-c.done
	c.calls.Wait()
	_ = os.Remove(c.path)
	return err
}

// hotBackup is a backend that streams a consistent copy of itself while it
// serves.
type hotBackup interface {
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

// controlCall is one request on the control socket as its handler gets
// it. The handler owns the connection until it returns; anything the
// client streams after the request line is read from in, which may
// already hold some of it.
type controlCall struct {
	args string // the request line after its name
	dir  string // the database's directory, for files a request keeps
	in   *bufio.Reader
	out  net.Conn
	db   backend
	log  *slog.Logger
}

// refuse answers the request with a sentence for the person who ran the
// command.
func (c *controlCall) refuse(reason string) {
	_, _ = io.WriteString(c.out, "ERR "+reason+"\n")
}

// controlHandler answers one kind of request.
type controlHandler func(ctx context.Context, c *controlCall)

// controlRequests is what the control socket answers, by the first word
// of the request line. A command that must reach a running okrbot adds
// its entry here and its handler beside the command.
func controlRequests() map[string]controlHandler {
	return map[string]controlHandler{
		"backup": controlBackup,
		"admin":  controlAdmin,
		"import": controlImport,
		"export": controlExport,
	}
}

func serveControl(ctx context.Context, path string, db backend, log *slog.Logger) (*control, error) {
	return serveControlWith(ctx, path, db, log, nil)
}

// serveControlWith answers controlRequests on path, and more: requests a
// caller answers itself (the server's, which need its engine).
func serveControlWith(ctx context.Context, path string, db backend, log *slog.Logger, more map[string]controlHandler) (*control, error) {
	// A socket file left by a crashed process is stale: nobody answers it.
	if conn, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
		conn.Close()
		return nil, fmt.Errorf("another okrbot is serving %s", path)
	}
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("protect control socket: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	c := &control{ln: ln, path: path, cancel: cancel, done: make(chan struct{})}
	table := controlRequests()
	maps.Copy(table, more)
	go func() {
		defer close(c.done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			closing := c.closing || ctx.Err() != nil
			if !closing {
				c.calls.Add(1)
			}
			c.mu.Unlock()
			if closing {
				_, _ = io.WriteString(conn, "ERR okrbot is shutting down; try again once it is back\n")
				conn.Close()
				continue
			}
			go func() {
				defer c.calls.Done()
				handleControl(ctx, conn, table, filepath.Dir(path), db, log)
			}()
		}
	}()
	return c, nil
}

func handleControl(ctx context.Context, conn net.Conn, table map[string]controlHandler, dir string, db backend, log *slog.Logger) {
	defer conn.Close()
	// When okrbot shuts down, a request blocked on a command that neither
	// sends nor reads must end too: Close waits for every request.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	in := bufio.NewReader(conn)
	line, err := in.ReadString('\n')
	if err != nil {
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	h, ok := table[name]
	call := &controlCall{args: args, dir: dir, in: in, out: conn, db: db, log: log}
	if !ok {
		call.refuse("unknown request")
		return
	}
	h(ctx, call)
}

// controlBackup streams a consistent copy of the database.
func controlBackup(ctx context.Context, c *controlCall) {
	hb, ok := c.db.(hotBackup)
	if !ok {
		c.refuse(errNoHotBackup.Error())
		return
	}
	if _, err := io.WriteString(c.out, "OK\n"); err != nil {
		return
	}
	n, err := hb.Backup(ctx, c.out)
	if err != nil {
		c.log.Error("backup over control socket", "err", err)
		return
	}
	c.log.Info("backup streamed", "bytes", n)
}

// backup writes a consistent copy of the database at dbPath to out: directly
// when no okrbot holds the file, through the running okrbot otherwise. The
// copy is checked before it replaces out.
func backup(ctx context.Context, dbPath, out string, stdout io.Writer, log *slog.Logger) error {
	if !isServer(dbPath) {
		if abs, err := filepath.Abs(out); err == nil {
			if dabs, err := filepath.Abs(dbPath); err == nil && abs == dabs {
				return errors.New("the backup file must not be the database itself")
			}
		}
		if st, err := os.Stat(dbPath); err != nil {
			return fmt.Errorf("no database at %s", dbPath)
		} else if st.Size() == 0 {
			return fmt.Errorf("the database %s is empty: there is nothing to back up", dbPath)
		}
	}
	// A copy only reads: opened read-only, a database on a read-only mount
	// or without write permission is backed up, and nothing in it changes
	// (an older schema is copied as it is; the bbolt lock is shared, so a
	// running okrbot, which holds it alone, is still asked instead).
	db, err := openBackend(dbPath, openOptions{log: log, wait: 300 * time.Millisecond, readOnly: true})
	var n int64
	switch {
	case err == nil:
		n, err = backupInto(ctx, db, out)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	case errors.Is(err, errHeld):
		n, err = backupFromRunning(ctx, controlPath(dbPath), out)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := checkFile(out); err != nil {
		return fmt.Errorf("backup written but it does not check out: %w", err)
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%d bytes), checked.\n", dbPath, out, n)
	return nil
}

// backupInto writes a backup of db into out, if db can write one.
func backupInto(ctx context.Context, db backend, out string) (int64, error) {
	fb, ok := db.(fileBackup)
	if !ok {
		return 0, errNoHotBackup
	}
	return fb.BackupToFile(ctx, out)
}

func backupFromRunning(ctx context.Context, sock, out string) (int64, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return 0, fmt.Errorf("the database is in use and the running okrbot does not answer on %s: %w", sock, err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "backup\n"); err != nil {
		return 0, fmt.Errorf("ask running okrbot: %w", err)
	}
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil || strings.TrimSpace(status) != "OK" {
		return 0, fmt.Errorf("running okrbot refused the backup: %q", strings.TrimSpace(status))
	}
	dir := filepath.Dir(out)
	f, err := os.CreateTemp(dir, "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("create backup file: %w", err)
	}
	tmp := f.Name()
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n == 0 {
		err = errors.New("the running okrbot sent nothing")
	}
	if err == nil {
		// A copy cut short by a dying server fails the check below, so only
		// a complete file replaces out.
		if err = checkFile(tmp); err == nil {
			err = os.Rename(tmp, out)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return n, nil
}
