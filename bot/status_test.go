package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// statusWorld is Q4 2026 (October 1 to December 31) with team Sales under
// Company: alice's objective O1 "Win the mid-market" with KR1 "Signed
// deals" from 0 to 100, written on the first day of the quarter, and
// checked in on Monday November 16 at 24 with confidence 7. Dana, the
// admin, leads Company; alice leads Sales.
func statusWorld(t *testing.T, before ...string) *bottest.Kit {
	t.Helper()
	k := bottest.New(t, bottest.Start(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)))
	for _, s := range []struct{ user, text, want string }{
		{"dana", "/okr whoami", "admin"},
		{"alice", "/okr whoami", "member"},
		{"dana", "/okr team create Company", "Company"},
		{"dana", "/okr team create Sales under Company", "Sales"},
		{"dana", "/okr team add Sales @alice", "alice"},
		{"dana", "/okr team lead Sales @alice", "alice"},
		{"dana", "/okr team lead Company @dana", "dana"},
		{"alice", `/okr new objective "Win the mid-market"`, "O1"},
		{"alice", `/okr new kr O1 "Signed deals" from 0 to 100`, "KR1"},
	} {
		if got := bottest.Text(k.Ask(s.user, s.text)); !strings.Contains(got, s.want) {
			t.Fatalf("%s: %s: answer lacks %q:\n%s", s.user, s.text, s.want, got)
		}
	}
	for _, text := range before {
		bottest.Text(k.Ask("dana", text))
	}
	k.Clock.Set(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
	if got := bottest.Text(k.Ask("alice", "KR1 24, confidence 7")); !strings.Contains(got, "Checked in") {
		t.Fatalf("check-in: %s", got)
	}
	return k
}

// viewStatuses renders every view of KR1 and O1 at the kit's clock and
// returns, by view, the status words each shows for ref: its progress
// bars, its Status field and the hint of its form input.
func viewStatuses(t *testing.T, k *bottest.Kit, ref string, nudge bool) map[string][]string {
	t.Helper()
	now := k.Clock.Now()
	team := func(name string) *okrcore.Team {
		return bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(k.Workspace, name) })
	}
	alice := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.User, error) {
		return tx.UserByPlatform(k.Workspace, k.PlatformName, "alice")
	})
	views := map[string]chat.Message{
		"mine":      k.Ask("alice", "/okr mine"),
		"home":      k.Process(k.Event("alice", chat.EventHomeOpened)),
		"tree":      k.Ask("alice", "/okr tree Sales"),
		"show KR1":  k.Ask("alice", "/okr show KR1"),
		"show O1":   k.Ask("alice", "/okr show O1"),
		"team":      k.Ask("alice", "/okr team Sales"),
		"digest":    k.Ask("alice", "/okr digest Sales"),
		"form":      k.Ask("alice", "/okr form"),
		"scheduled": k.Compose(&okrcore.OutboxItem{ID: 1, Workspace: k.Workspace, Kind: okrcore.OutboxDigest, Team: team("Sales").ID, DueAt: now, Key: "digest:sales", State: okrcore.OutboxPending}).Message,
		"manager": k.Compose(&okrcore.OutboxItem{ID: 2, Workspace: k.Workspace, Kind: okrcore.OutboxManagerDigest, Team: team("Company").ID,
			DueAt: now, Key: "manager:company", State: okrcore.OutboxPending}).Message,
	}
	if nudge {
		d := k.Compose(&okrcore.OutboxItem{ID: 3, Workspace: k.Workspace, Kind: okrcore.OutboxCheckIn, User: alice.ID,
			Period: okrcore.PeriodKey(okrcore.Weekly, now, time.UTC), DueAt: now, Key: "checkin:alice", State: okrcore.OutboxPending})
		if d.Skip != "" {
			t.Fatalf("the nudge is skipped: %s", d.Skip)
		}
		views["nudge"] = d.Message
		if d.Message.Form == nil {
			t.Fatal("the nudge carries no form")
		}
		views["nudge form"] = chat.Message{Form: d.Message.Form}
	}
	out := map[string][]string{}
	for name, m := range views {
		out[name] = statusWords(m, ref)
	}
	return out
}

// statusWords lists the statuses a message shows for ref: on its progress
// bars, in a Status field of a view about ref, and in the hint of ref's
// value input on a form.
func statusWords(m chat.Message, ref string) []string {
	var out []string
	about := false
	for _, b := range m.Blocks {
		switch x := b.(type) {
		case chat.Header:
			about = strings.HasPrefix(x.Text, ref+" ")
		case chat.ProgressBar:
			if x.Ref == ref {
				out = append(out, x.Status.Label())
			}
		case chat.Section:
			for _, f := range x.Fields {
				if about && f.Label == "Status" {
					out = append(out, strings.SplitN(f.Value, " · ", 2)[0])
				}
			}
		}
	}
	if m.Form != nil {
		for _, in := range m.Form.Inputs {
			if in.ID == ref+".value" {
				parts := strings.Split(in.Hint, " · ")
				out = append(out, parts[min(1, len(parts)-1)])
			}
		}
	}
	return out
}

// wantNote fails unless m's bars of ref carry note after their status.
func wantNote(t *testing.T, m chat.Message, ref, note string) {
	t.Helper()
	found := false
	for _, b := range m.Blocks {
		if x, ok := b.(chat.ProgressBar); ok && x.Ref == ref {
			found = true
			if chat.Unmarked(x.StatusNote) != note {
				t.Errorf("%s's bar says %q after its status, want %q:\n%s", ref, x.StatusNote, note, bottest.StatusText(m))
			}
		}
	}
	if !found {
		t.Errorf("no bar of %s:\n%s", ref, bottest.StatusText(m))
	}
}

// wantOneStatus fails unless every view that shows ref shows want, and
// the views in must show it at least once.
func wantOneStatus(t *testing.T, got map[string][]string, ref, want string, must ...string) {
	t.Helper()
	for view, words := range got {
		for _, w := range words {
			if w != want {
				t.Errorf("%s shows %s as %q, want %q (all: %v)", view, ref, w, want, got)
			}
		}
	}
	for _, view := range must {
		if len(got[view]) == 0 {
			t.Errorf("%s does not show %s's status (all: %v)", view, ref, got)
		}
	}
}

// TestOneStatusEverywhere: every view reads a status the same way at one
// instant, and a confidence given five weeks ago no longer holds a key
// result at 24% "on track" when 88% is expected; the views say both.
func TestOneStatusEverywhere(t *testing.T) {
	k := statusWorld(t)
	k.Clock.Set(time.Date(2026, 12, 21, 10, 0, 0, 0, time.UTC)) // Monday of week 52: 88% of the quarter gone

	kr := viewStatuses(t, k, "KR1", true)
	wantOneStatus(t, kr, "KR1", "off track", "mine", "home", "tree", "show KR1", "show O1", "digest", "scheduled", "manager", "nudge", "nudge form", "form")
	o := viewStatuses(t, k, "O1", true)
	wantOneStatus(t, o, "O1", "off track", "mine", "home", "tree", "show O1", "team", "digest", "scheduled")

	said := "alice said on track on Nov 16"
	for _, text := range []string{"/okr mine", "/okr tree Sales", "/okr digest Sales", "/okr show KR1"} {
		wantNote(t, k.Ask("alice", text), "KR1", said)
	}
	wantContains(t, bottest.Text(k.Ask("alice", "/okr show KR1")), "Status: off track · "+said)
	m := k.Ask("alice", "/okr form")
	if hint := chat.Unmarked(m.Form.Inputs[0].Hint); !strings.Contains(hint, "off track · "+said) {
		t.Errorf("the form's hint for KR1 is %q, want it to say off track and what alice said", hint)
	}
}

// TestStatedStatusHoldsForItsWeek: within the week it was given in, what a
// person said is the status every view shows, and the views say what
// progress says when it differs.
func TestStatedStatusHoldsForItsWeek(t *testing.T) {
	k := statusWorld(t)
	k.Clock.Set(time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)) // Friday of the same week, after the digests

	kr := viewStatuses(t, k, "KR1", false)
	wantOneStatus(t, kr, "KR1", "on track", "mine", "home", "tree", "show KR1", "show O1", "form")
	o := viewStatuses(t, k, "O1", false)
	wantOneStatus(t, o, "O1", "at risk", "mine", "home", "tree", "show O1", "team", "digest", "scheduled")
	wantNote(t, k.Ask("alice", "/okr mine"), "KR1", "alice said so on Nov 16; progress says at risk")

	// The next Monday the week is over and progress decides.
	k.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	kr = viewStatuses(t, k, "KR1", true)
	wantOneStatus(t, kr, "KR1", "at risk", "mine", "home", "tree", "show KR1", "digest", "scheduled", "manager", "nudge", "form")
}

// TestStatedStatusHoldsForTheRhythm: on a monthly rhythm (Sales's own, or
// the workspace's) what a person says holds for the month; on a biweekly
// one for the fortnight.
func TestStatedStatusHoldsForTheRhythm(t *testing.T) {
	for _, tc := range []struct {
		name, schedule string
		holds, ends    time.Time
	}{
		{"team monthly", "/okr schedule team Sales checkin monthly 1 10:00",
			time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{"workspace monthly", "/okr schedule checkin monthly 1 10:00",
			time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		// November 16, 2026 begins a fortnight of the biweekly rhythm
		// (150 weeks after January 1, 2024).
		{"workspace biweekly", "/okr schedule checkin biweekly monday 10:00",
			time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := statusWorld(t, tc.schedule)
			k.Clock.Set(tc.holds)
			wantContains(t, bottest.StatusText(k.Ask("alice", "/okr show KR1")), "KR1 Signed deals 24% [on_track]")
			k.Clock.Set(tc.ends)
			wantLacks(t, bottest.StatusText(k.Ask("alice", "/okr show KR1")), "[on_track]")
		})
	}
}
