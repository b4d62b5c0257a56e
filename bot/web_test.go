package bot_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
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

func (f *fakeLinks) TeamLink(team okrcore.ID) string {
	return "https://okr.example.test/okr/team/" + strconv.FormatUint(uint64(team), 10)
}

// A digest, scheduled or asked with /okr digest, links to its team's page
// once the web view is on, and has no link without it; a digest of a team
// that does not exist is a sentence, with no link.
func TestDigestLinksToItsTeamPage(t *testing.T) {
	for _, on := range []bool{false, true} {
		k := bottest.New(t, bottest.Demo())
		if on {
			k.Engine.UseWebLinks(&fakeLinks{})
		}
		for _, tc := range []struct {
			kind okrcore.OutboxKind
			team string
		}{{okrcore.OutboxDigest, "Sales"}, {okrcore.OutboxManagerDigest, "Leadership"}} {
			tm := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(k.Workspace, tc.team) })
			d := k.Compose(&okrcore.OutboxItem{ID: 1, Workspace: k.Workspace, Kind: tc.kind, Team: tm.ID, DueAt: k.Clock.Now(), State: okrcore.OutboxPending, Key: string(tc.kind) + ":x"})
			want := chat.Link{}
			if on {
				want = chat.Link{Label: "Open the team's page", URL: "https://okr.example.test/okr/team/" + strconv.FormatUint(uint64(tm.ID), 10)}
			}
			if d.Skip != "" || d.Message.Link != want {
				t.Errorf("web view %v, %s of %s: link %+v (skip %q), want %+v", on, tc.kind, tc.team, d.Message.Link, d.Skip, want)
			}
			if tc.kind != okrcore.OutboxDigest {
				continue
			}
			for _, line := range []string{"digest " + tc.team, "digest"} { // alice is in Sales
				if m := k.Ask("alice", line); m.Link != want || !m.Ephemeral {
					t.Errorf("web view %v, /okr %s: link %+v (ephemeral %v), want %+v", on, line, m.Link, m.Ephemeral, want)
				}
			}
		}
		if m := k.Ask("alice", "digest No Such Team"); m.Link != (chat.Link{}) || bottest.Text(m) == "" {
			t.Errorf("web view %v, a team that does not exist: %q, link %+v", on, bottest.Text(m), m.Link)
		}
	}
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
