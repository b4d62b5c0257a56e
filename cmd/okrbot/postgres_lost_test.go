package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/demo"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
)

// TestPostgresLostWhileRunning: the server goes away under a running bot
// (the connection to it cut, new ones refused) and comes back. Meanwhile
// people get a sentence, not an error string; /readyz says the database
// does not answer; when it returns the bot answers again, /readyz is ready
// after its probe, and what was written before is all there.
func TestPostgresLostWhileRunning(t *testing.T) {
	u := postgrestest.URL(t)
	p := newCutProxy(t, u)
	db, err := openBackend(p.url, openOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k := bottest.New(t)
	bottest.SeedDemo(t, db, k.Workspace, k.PlatformName, k.Clock.Now())
	watch := newWriteWatch(db, k.Clock.Now)
	k.Engine = bot.NewEngine(watch, bot.Options{Now: k.Clock.Now})
	readyz := ready(watch, nil)
	probe := func() (int, string) {
		rec := httptest.NewRecorder()
		readyz.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	before := bottest.Text(k.Ask(demo.User, "/okr mine"))
	putMark := func() error {
		return watch.Update(context.Background(), func(tx okrcore.Tx) error {
			return tx.PutState(k.Workspace, "lost-test", []byte("kept"), time.Time{})
		})
	}
	if err := putMark(); err != nil {
		t.Fatal(err)
	}
	if code, body := probe(); code != http.StatusOK {
		t.Fatalf("readyz before: %d %s", code, body)
	}

	p.cut()
	answer := bottest.Text(k.Ask(demo.User, "/okr mine"))
	for _, leak := range []string{"SQLSTATE", "dial", "127.0.0.1", "connect", "pgx"} {
		if strings.Contains(answer, leak) {
			t.Errorf("answer while the server is away shows %q: %s", leak, answer)
		}
	}
	t.Logf("answer while away: %s", answer)
	if answer == "" || answer == before {
		t.Errorf("answer while the server is away: %q", answer)
	}
	if err := putMark(); err == nil {
		t.Error("a write succeeded with the server away")
	}
	code, body := probe()
	t.Logf("readyz while away: %d %s", code, body)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "does not answer: connection refused") || strings.Contains(body, "\n") {
		t.Errorf("readyz while away: %d %s", code, body)
	}

	p.restore()
	k.Clock.Advance(probeEvery + time.Second)
	if code, body := probe(); code != http.StatusOK {
		t.Errorf("readyz after the server returned: %d %s", code, body)
	}
	if after := bottest.Text(k.Ask(demo.User, "/okr mine")); after != before {
		t.Errorf("answer after the server returned:\n%s\nwant\n%s", after, before)
	}
	v, err := okrcore.View(context.Background(), watch, func(tx okrcore.Tx) ([]byte, error) { return tx.State(k.Workspace, "lost-test") })
	if err != nil || string(v) != "kept" {
		t.Errorf("what was written before the server went away: %q, %v", v, err)
	}
}

// cutProxy forwards TCP to the PostgreSQL server and can cut every
// connection and refuse new ones, as a server that went away does.
type cutProxy struct {
	t      *testing.T
	target string
	addr   string
	url    string

	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newCutProxy(t *testing.T, dbURL string) *cutProxy {
	t.Helper()
	parsed, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{t: t, target: parsed.Host}
	p.listen("127.0.0.1:0")
	parsed.Host = p.addr
	p.url = parsed.String()
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) listen(addr string) {
	p.t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go p.accept(ln)
}

func (p *cutProxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go pipe(c, s)
		go pipe(s, c)
	}
}

func pipe(dst, src net.Conn) {
	_, err := io.Copy(dst, src)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		dst.Close()
	}
	dst.Close()
}

// cut closes the listener and every connection.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *cutProxy) restore() { p.listen(p.addr) }
