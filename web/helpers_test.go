package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// site is the web view over a store with the demo organisation, served
// on loopback at its public address.
type site struct {
	t     *testing.T
	kit   *bottest.Kit
	links *Links
	h     *Handler
	srv   *httptest.Server
}

func newSite(t *testing.T, opts ...bottest.Option) *site {
	t.Helper()
	k := bottest.New(t, append([]bottest.Option{bottest.Demo()}, opts...)...)
	return siteOn(t, k, Options{})
}

func siteOn(t *testing.T, k *bottest.Kit, opts Options) *site {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	links, err := NewLinks(k.DB, srv.URL, k.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	opts.Now = k.Clock.Now
	if testing.Verbose() {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h, err := NewHandler(k.DB, links, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	return &site{t: t, kit: k, links: links, h: h, srv: srv}
}

// user is a person of the kit's workspace by platform id.
func (s *site) user(ws, platformID string) *okrcore.User {
	s.t.Helper()
	return bottest.Read(s.t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.User, error) {
		return tx.UserByPlatform(ws, s.kit.PlatformName, platformID)
	})
}

// link is the personal link of a person of the kit's workspace.
func (s *site) link(platformID string) string {
	s.t.Helper()
	l, err := s.links.Link(context.Background(), s.kit.Workspace, s.user(s.kit.Workspace, platformID).ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return l
}

// browser is an HTTP client with a cookie jar, that does not follow
// redirects unless told.
func (s *site) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// get fetches url and returns the status and the body.
func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signedIn is a browser that opened platformID's link.
func (s *site) signedIn(platformID string) *http.Client {
	s.t.Helper()
	c := s.browser()
	resp, body := get(s.t, c, s.link(platformID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Company tree") {
		s.t.Fatalf("login of %s: %d %s", platformID, resp.StatusCode, body)
	}
	return c
}

// firstID is the smallest ID of a kind that fn lists.
func firstID[T any](t *testing.T, s okrcore.Store, fn func(tx okrcore.Tx) ([]T, error)) T {
	t.Helper()
	list := bottest.Read(t, s, fn)
	if len(list) == 0 {
		t.Fatal("nothing listed")
	}
	return list[0]
}
