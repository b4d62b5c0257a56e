package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// fakeLinks records what /okr web asked of the web view's signer.
type fakeLinks struct {
	linked  []okrcore.ID
	revoked []string
	fail    bool
}

func (f *fakeLinks) Link(_ context.Context, ws string, person okrcore.ID) (string, error) {
	if f.fail {
		return "", errors.New("store down")
	}
	f.linked = append(f.linked, person)
	return "https://okr.example.test/okr/login?t=ABC234.XYZ567", nil
}

func (f *fakeLinks) Revoke(_ context.Context, ws string) error {
	f.revoked = append(f.revoked, ws)
	return nil
}

func TestWebCommand(t *testing.T) {
	unset := bottest.New(t, bottest.Demo())
	if got := bottest.Text(unset.Ask("alice", "web")); !strings.Contains(got, "public_url") || strings.Contains(got, "https://okr.example.test") {
		t.Errorf("without a public address: %q", got)
	}

	k := bottest.New(t, bottest.Demo())
	links := &fakeLinks{}
	k.Engine.UseWebLinks(links)
	m := k.Ask("alice", "web")
	if got := bottest.Text(m); !strings.Contains(got, "https://okr.example.test/okr/login?t=ABC234.XYZ567") || !m.Ephemeral {
		t.Errorf("link: %q (ephemeral %v)", got, m.Ephemeral)
	}
	if len(links.linked) != 1 {
		t.Fatalf("linked %v", links.linked)
	}
	cases := []struct{ who, line, want string }{
		{"alice", "web revoke", "Only an admin"},
		{"alice", "web now please", "/okr web revoke"},
		{"dana", "web revoke", "stopped working"},
	}
	for _, tc := range cases {
		if got := bottest.Text(k.Ask(tc.who, tc.line)); !strings.Contains(got, tc.want) {
			t.Errorf("%s %q: %q", tc.who, tc.line, got)
		}
	}
	if len(links.revoked) != 1 || links.revoked[0] != k.Workspace {
		t.Errorf("revoked %v", links.revoked)
	}
	links.fail = true
	if got := bottest.Text(k.Ask("alice", "web")); strings.Contains(got, "store down") || got == "" {
		t.Errorf("a failing signer: %q", got)
	}
}
