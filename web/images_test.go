package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
)

// A picture's signed address serves it to anyone holding it (a chat
// client fetching a card's image has no session), and nothing else: a
// forged, altered, expired or revoked address, a session's token, or
// another workspace's, is not found; a picture's token opens no session.
func TestImageAddresses(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	ws := s.kit.Workspace
	png := []byte("\x89PNG\r\n\x1a\n a chart")
	addr, err := s.links.Images(ws).ImageURL(ctx, png)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, s.srv.URL+"/okr/img/") || !strings.HasSuffix(addr, ".png") {
		t.Fatalf("address %q", addr)
	}
	anon := &http.Client{}
	resp, body := get(t, anon, addr)
	if resp.StatusCode != http.StatusOK || body != string(png) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the picture: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private, max-age=") {
		t.Errorf("Cache-Control %q", cc)
	}
	tok := strings.TrimSuffix(strings.TrimPrefix(addr, s.srv.URL+"/okr/img/"), ".png")
	payload, sig, _ := strings.Cut(tok, ".")
	raw, _ := tokenEncoding.DecodeString(payload)
	other := strings.Replace(string(raw), "|"+ws+"|", "|other|", 1)
	session := tokenOf(t, s.link("alice"))

	refused := map[string]string{
		"no .png":              s.srv.URL + "/okr/img/" + tok,
		"altered signature":    s.srv.URL + "/okr/img/" + payload + "." + strings.Repeat("A", len(sig)) + ".png",
		"another workspace":    s.srv.URL + "/okr/img/" + tokenEncoding.EncodeToString([]byte(other)) + "." + sig + ".png",
		"a session's token":    s.srv.URL + "/okr/img/" + session + ".png",
		"not a token":          s.srv.URL + "/okr/img/x.png",
		"another picture hash": s.srv.URL + "/okr/img/" + tokenEncoding.EncodeToString(bytes.Replace(raw, []byte(string(raw)[len("img|"+ws+"|"):len("img|"+ws+"|")+4]), []byte("0000"), 1)) + "." + sig + ".png",
	}
	for name, u := range refused {
		if resp, body := get(t, anon, u); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "a chart") {
			t.Errorf("%s: %d %q", name, resp.StatusCode, body)
		}
	}
	if resp, body := get(t, s.browser(), s.srv.URL+"/okr/login?t="+tok); resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "Company tree") {
		t.Errorf("a picture's token opened a session: %d", resp.StatusCode)
	}

	s.kit.Clock.Advance(ImageTTL + time.Second)
	if resp, _ := get(t, anon, addr); resp.StatusCode != http.StatusNotFound {
		t.Errorf("expired: %d", resp.StatusCode)
	}
	s.kit.Clock.Advance(-ImageTTL)
	if err := s.links.Revoke(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, anon, addr); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoked: %d", resp.StatusCode)
	}
	if _, err := s.links.Images(ws).ImageURL(ctx, nil); err == nil {
		t.Error("an empty picture was kept")
	}
}

// FuzzImageToken: only the token ImageURL signed shows its picture; any
// other string, however close, shows none (a session's token included),
// and none panics.
func FuzzImageToken(f *testing.F) {
	k := bottest.New(f, bottest.Demo())
	links, err := NewLinks(k.DB, "https://okr.example.test", k.Clock.Now)
	if err != nil {
		f.Fatal(err)
	}
	h, err := NewHandler(k.DB, links, Options{Now: k.Clock.Now})
	if err != nil {
		f.Fatal(err)
	}
	addr, err := links.Images("local").ImageURL(context.Background(), []byte("\x89PNG chart"))
	if err != nil {
		f.Fatal(err)
	}
	good := strings.TrimPrefix(addr, "https://okr.example.test/okr/img/")
	session, err := links.Link(context.Background(), "local", 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(session[strings.Index(session, "t=")+2:] + ".png")
	f.Add("x.png")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		if strings.Contains(tok, "/") || tok == "" {
			return // not one path segment
		}
		req, err := http.NewRequest(http.MethodGet, "https://okr.example.test/okr/img/"+url.PathEscape(tok), nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if served := rec.Code == http.StatusOK; served != (tok == good) {
			t.Fatalf("token %q: status %d (the signed one is %q)", tok, rec.Code, good)
		}
	})
}
