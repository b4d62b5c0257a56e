package okrcore

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
		ok   bool
	}{
		{"KR34", Ref{RefKeyResult, 34}, true},
		{"kr34", Ref{RefKeyResult, 34}, true},
		{"Kr3", Ref{RefKeyResult, 3}, true},
		{"#KR3", Ref{RefKeyResult, 3}, true},
		{"#kr3", Ref{RefKeyResult, 3}, true},
		{"  KR7 ", Ref{RefKeyResult, 7}, true},
		{"KR007", Ref{RefKeyResult, 7}, true},
		{"KPI3", Ref{RefKPI, 3}, true},
		{"kpi3", Ref{RefKPI, 3}, true},
		{"#KPI12", Ref{RefKPI, 12}, true},
		{"O12", Ref{RefObjective, 12}, true},
		{"o1", Ref{RefObjective, 1}, true},
		{"I7", Ref{RefInitiative, 7}, true},
		{"T2", Ref{RefTeam, 2}, true},
		{"C5", Ref{RefCycle, 5}, true},
		{"KR18446744073709551615", Ref{RefKeyResult, 18446744073709551615}, true},
		// Invalid.
		{"KR0", Ref{}, false},
		{"KR-1", Ref{}, false},
		{"KR+1", Ref{}, false},
		{"KPI0", Ref{}, false},
		{"O0", Ref{}, false},
		{"KR", Ref{}, false},
		{"KPI", Ref{}, false},
		{"KR 3", Ref{}, false},
		{"KR3a", Ref{}, false},
		{"KR3.5", Ref{}, false},
		{"KR18446744073709551616", Ref{}, false},
		{"K3", Ref{}, false},
		{"KP3", Ref{}, false},
		{"X3", Ref{}, false},
		{"3", Ref{}, false},
		{"", Ref{}, false},
		{"#", Ref{}, false},
		{"##KR3", Ref{}, false},
		{"KR３", Ref{}, false}, // full-width digit
	}
	for _, tc := range tests {
		got, ok := ParseRef(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRef(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok {
			// A parsed reference prints back in canonical form and parses again.
			if again, ok2 := ParseRef(got.String()); !ok2 || again != got {
				t.Errorf("ParseRef(%q).String() = %q does not round-trip", tc.in, got.String())
			}
		}
	}
}

func TestRefs(t *testing.T) {
	tests := []struct {
		ref  Ref
		want string
	}{
		{(&Objective{ID: 12}).Ref(), "O12"},
		{(&KeyResult{ID: 34}).Ref(), "KR34"},
		{(&KPI{ID: 3}).Ref(), "KPI3"},
		{(&Initiative{ID: 7}).Ref(), "I7"},
		{(&Team{ID: 2}).Ref(), "T2"},
		{Ref{RefCycle, 1}, "C1"},
	}
	for _, tc := range tests {
		if got := tc.ref.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.ref, got, tc.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status
		ok   bool
	}{
		{"on track", StatusOnTrack, true},
		{"On Track", StatusOnTrack, true},
		{"on-track", StatusOnTrack, true},
		{"on_track", StatusOnTrack, true},
		{"ON_TRACK", StatusOnTrack, true},
		{"  on    track  ", StatusOnTrack, true},
		{"ontrack", StatusOnTrack, true},
		{"green", StatusOnTrack, true},
		{"at risk", StatusAtRisk, true},
		{"at-risk", StatusAtRisk, true},
		{"AT_RISK", StatusAtRisk, true},
		{"atrisk", StatusAtRisk, true},
		{"amber", StatusAtRisk, true},
		{"Yellow", StatusAtRisk, true},
		{"off track", StatusOffTrack, true},
		{"off_track", StatusOffTrack, true},
		{"off-track", StatusOffTrack, true},
		{"offtrack", StatusOffTrack, true},
		{"RED", StatusOffTrack, true},
		{"behind", StatusOffTrack, true},
		{"", "", false},
		{"fine", "", false},
		{"on", "", false},
		{"track", "", false},
		{"on track!", "", false},
	}
	for _, tc := range tests {
		got, ok := ParseStatus(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// Every settable status's label parses back to it.
	for _, s := range []Status{StatusOnTrack, StatusAtRisk, StatusOffTrack} {
		if got, ok := ParseStatus(s.Label()); !ok || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s.Label(), got, ok)
		}
		if got, ok := ParseStatus(string(s)); !ok || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v", s, got, ok)
		}
	}
}

func TestStatusLabel(t *testing.T) {
	for s, want := range map[Status]string{
		StatusNone: "no status", StatusOnTrack: "on track", StatusAtRisk: "at risk",
		StatusOffTrack: "off track", StatusDone: "done", "weird": "no status",
	} {
		if got := s.Label(); got != want {
			t.Errorf("%q.Label() = %q, want %q", s, got, want)
		}
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want Role
		ok   bool
	}{
		{"admin", RoleAdmin, true},
		{"Admin", RoleAdmin, true},
		{" ADMIN ", RoleAdmin, true},
		{"member", RoleMember, true},
		{"Member", RoleMember, true},
		{"observer", RoleObserver, true},
		{"OBSERVER", RoleObserver, true},
		{"", "", false},
		{"owner", "", false},
		{"admins", "", false},
		{"super admin", "", false},
	}
	for _, tc := range tests {
		got, ok := ParseRole(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v      float64
		metric MetricKind
		unit   string
		want   string
	}{
		{0, MetricMilestone, "", "not done"},
		{0.99, MetricMilestone, "", "not done"},
		{1, MetricMilestone, "", "done"},
		{2, MetricMilestone, "", "done"},
		{45, MetricPercent, "", "45%"},
		{45.5, MetricPercent, "", "45.5%"},
		{33.333, MetricPercent, "", "33.33%"},
		{0, MetricPercent, "", "0%"},
		{100, MetricPercent, "ignored", "100%"},
		{1500, MetricCurrency, "", "$1500"},
		{25000, MetricCurrency, "", "$25k"},
		{1.5e6, MetricCurrency, "€", "€1.5M"},
		{2.25e9, MetricCurrency, "£", "£2.25B"},
		{-5e4, MetricCurrency, "", "$-50k"},
		{0, MetricNumber, "", "0"},
		{12, MetricNumber, "", "12"},
		{12.5, MetricNumber, "users", "12.5 users"},
		{0.126, MetricNumber, "", "0.13"},
		{0.125, MetricNumber, "", "0.12"}, // exact half: to even
		{9999, MetricNumber, "", "9999"},
		{10000, MetricNumber, "", "10k"},
		{12345, MetricNumber, "", "12.35k"},
		{1e6, MetricNumber, "", "1M"},
		{-2.5e6, MetricNumber, "tickets", "-2.5M tickets"},
		{-3, MetricNumber, "", "-3"},
		{-0.001, MetricNumber, "", "0"},
		{-0.001, MetricPercent, "", "0%"},
		{-0.004, MetricCurrency, "", "$0"},
		{0.001, MetricNumber, "", "0"},
		{7, "", "", "7"},
	}
	for _, tc := range tests {
		if got := FormatValue(tc.v, tc.metric, tc.unit); got != tc.want {
			t.Errorf("FormatValue(%v, %q, %q) = %q, want %q", tc.v, tc.metric, tc.unit, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		p    float64
		want string
	}{
		{0, "0%"},
		{0.004, "0%"},
		{0.005, "1%"},
		{0.45, "45%"},
		{0.455, "46%"},
		{0.7, "70%"},
		{0.999, "100%"},
		{1, "100%"},
		{1.0 / 3, "33%"},
		{2.0 / 3, "67%"},
	}
	for _, tc := range tests {
		if got := Percent(tc.p); got != tc.want {
			t.Errorf("Percent(%v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestTeamHasMember(t *testing.T) {
	team := &Team{Lead: 1, Members: []ID{2, 3}}
	for u, want := range map[ID]bool{1: true, 2: true, 3: true, 4: false, 0: false} {
		if got := team.HasMember(u); got != want {
			t.Errorf("HasMember(%d) = %v, want %v", u, got, want)
		}
	}
	// A team without a lead does not count user 0 as its lead.
	if (&Team{Members: []ID{5}}).HasMember(0) {
		t.Error("HasMember(0) on a team without lead = true")
	}
}

func TestOwner(t *testing.T) {
	if got := UserOwner(7).Key(); got != "user:7" {
		t.Errorf("UserOwner(7).Key() = %q", got)
	}
	if got := TeamOwner(12).Key(); got != "team:12" {
		t.Errorf("TeamOwner(12).Key() = %q", got)
	}
	if UserOwner(7).Key() == TeamOwner(7).Key() {
		t.Error("user and team owners share a key")
	}
	if !(Owner{}).IsZero() || !UserOwner(0).IsZero() || TeamOwner(1).IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestCycleContains(t *testing.T) {
	c := QuarterOf(time.Date(2027, 5, 5, 0, 0, 0, 0, time.UTC)) // Q2 2027
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2027, 3, 31, 23, 59, 59, 999999999, time.UTC), false},
		{time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 6, 30, 23, 59, 59, 0, time.UTC), true},
		{time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), false},
		// 1 July 01:00 in UTC+2 is still 30 June in UTC.
		{time.Date(2027, 7, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), true},
	}
	for _, tc := range tests {
		if got := c.Contains(tc.at); got != tc.want {
			t.Errorf("%s.Contains(%v) = %v, want %v", c.Name, tc.at, got, tc.want)
		}
	}
}

func TestKPIHealthy(t *testing.T) {
	k := &KPI{HealthyMin: 10, HealthyMax: 20}
	for v, want := range map[float64]bool{9.99: false, 10: true, 15: true, 20: true, 20.01: false} {
		k.Current = v
		if got := k.Healthy(); got != want {
			t.Errorf("Healthy at %v = %v, want %v", v, got, want)
		}
	}
	k.Current = nan
	if k.Healthy() {
		t.Error("NaN is healthy")
	}
}

func TestErrors(t *testing.T) {
	e := Errorf(KindForbidden, "Only %s can do that.", "Alice")
	if e.Message != "Only Alice can do that." || e.Kind != KindForbidden {
		t.Errorf("Errorf = %+v", e)
	}
	if got := e.Error(); got != "forbidden: Only Alice can do that." {
		t.Errorf("Error() = %q", got)
	}
	cause := errors.New("disk full")
	full := &Error{Kind: KindInternal, Op: "store objective", Message: "Sorry.", Err: cause}
	if got := full.Error(); got != "store objective: internal: Sorry.: disk full" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(full, cause) {
		t.Error("Unwrap does not reach the cause")
	}
	wrapped := fmt.Errorf("roll up O3: %w", Errorf(KindNotFound, "No such objective."))
	tests := []struct {
		err     error
		kind    ErrorKind
		message string
	}{
		{e, KindForbidden, "Only Alice can do that."},
		{wrapped, KindNotFound, "No such objective."},
		{full, KindInternal, ""}, // internal detail belongs in the log
		{cause, KindInternal, ""},
	}
	for _, tc := range tests {
		if got := ErrorKindOf(tc.err); got != tc.kind {
			t.Errorf("ErrorKindOf(%v) = %q, want %q", tc.err, got, tc.kind)
		}
		if got := ErrorMessage(tc.err); got != tc.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tc.err, got, tc.message)
		}
	}
	if ErrorMessage(nil) != "" {
		t.Error("ErrorMessage(nil) is not empty")
	}
	if !IsNotFound(wrapped) || IsNotFound(e) || IsNotFound(nil) {
		t.Error("IsNotFound wrong")
	}
}

func TestUserAccounts(t *testing.T) {
	u := &User{Name: "Alice"}
	u.SetAccount(Account{Platform: "slack", PlatformID: "U1", DM: "D1"})
	u.SetAccount(Account{Platform: "teams", PlatformID: "29:a", DM: "a:1", DMRef: "ref"})
	u.SetAccount(Account{Platform: "teams", PlatformID: "29:a", DM: "a:2", DMRef: "ref2"}) // replaced, not added
	u.SetAccount(Account{Platform: "slack", PlatformID: "U1", DM: "D2"})                   // the first account, in place
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"first account", Account{u.Platform, u.PlatformID, u.DM, u.DMRef}, Account{"slack", "U1", "D2", ""}},
		{"linked", len(u.Linked), 1},
		{"accounts", len(u.Accounts()), 2},
		{"teams account", second(u.Account("teams")), Account{"teams", "29:a", "a:2", "ref2"}},
		{"no shell account", third(u.Account("shell")), false},
		{"by id", third(u.AccountOf("teams", "29:a")), true},
		{"by wrong id", third(u.AccountOf("teams", "U1")), false},
		{"nudged by default on the first", u.NudgeAccount().Platform, "slack"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	u.NudgeOn = "teams"
	if a := u.NudgeAccount(); a.Platform != "teams" || a.DM != "a:2" {
		t.Errorf("chosen nudge account: %+v", a)
	}
	u.NudgeOn = "shell" // an account since removed: back to the first
	if a := u.NudgeAccount(); a.Platform != "slack" {
		t.Errorf("nudge account without one on the chosen platform: %+v", a)
	}
}

func TestPlatformNameAndHandle(t *testing.T) {
	for p, want := range map[string]string{"slack": "Slack", "teams": "Microsoft Teams", "shell": "the terminal", "fax": "fax"} {
		if got := PlatformName(p); got != want {
			t.Errorf("PlatformName(%q) = %q, want %q", p, got, want)
		}
	}
	if got := (&User{ID: 12}).Handle(); got != "#12" {
		t.Errorf("Handle = %q, want #12", got)
	}
}

func second(a Account, _ bool) Account { return a }
func third(_ Account, ok bool) bool    { return ok }
