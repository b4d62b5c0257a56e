// Package okrcore holds the OKR model and its rules: progress, roll-up, status,
// scoring, validation and permissions. It is pure Go: it performs no I/O, reads
// no clock of its own and knows nothing of chat platforms. Storage backends
// implement Store; the bot drives the rules through it.
package okrcore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ID identifies a record within its workspace and kind. IDs are small
// sequential numbers so that people can type them ("O12", "KR34").
type ID uint64

// Role is what a user may do in a workspace.
type Role string

const (
	RoleAdmin    Role = "admin"
	RoleMember   Role = "member"
	RoleObserver Role = "observer"
)

// ParseRole reads a role name as a person would type it.
func ParseRole(s string) (Role, bool) {
	switch Role(strings.ToLower(strings.TrimSpace(s))) {
	case RoleAdmin:
		return RoleAdmin, true
	case RoleMember:
		return RoleMember, true
	case RoleObserver:
		return RoleObserver, true
	}
	return "", false
}

// Workspace is one installation: a Slack team, a Teams tenant or the local shell.
type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Platform is where the workspace lives ("slack", "teams", "shell"): scheduled messages leave through it.
	Platform string `json:"platform,omitempty"`
	// CurrentCycle is the shortest current cycle (the quarter), and
	// AlsoCurrent the longer ones running beside it (the year): at most
	// one of each kind. Databases from before AlsoCurrent read as before.
	CurrentCycle ID                `json:"current_cycle,omitempty"`
	AlsoCurrent  []ID              `json:"also_current,omitempty"`
	Rules        Rules             `json:"rules"`
	Schedule     Schedule          `json:"schedule"`
	CreatedAt    time.Time         `json:"created_at"`
	Words        map[string]string `json:"words,omitempty"` // its own words for the bot's terms ("objective" → "Goal"), okrcore/wording's
}

// User is a person, keyed by (platform, platform user id) within a workspace.
type User struct {
	ID         ID     `json:"id"`
	Workspace  string `json:"ws"`
	Platform   string `json:"platform"`
	PlatformID string `json:"platform_id"`
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	// EmailVerified says the platform vouched for Email (a Slack
	// workspace's confirmed address, a Microsoft Entra account's mail), so
	// that an account on another platform with the same address is the
	// same person.
	EmailVerified bool   `json:"email_verified,omitempty"`
	TimeZone      string `json:"tz,omitempty"`
	Role          Role   `json:"role"`
	// DM is the conversation for direct messages to this person, and
	// DMRef the platform's opaque reference to reach it proactively.
	DM    string `json:"dm,omitempty"`
	DMRef string `json:"dm_ref,omitempty"`
	// Linked are the person's accounts on other platforms (the same
	// person on Slack and on Teams), each found by its own platform id.
	Linked []Account `json:"linked,omitempty"`
	// NudgeOn is the platform the person chose for nudges and other
	// direct messages; empty means their first account's.
	NudgeOn string `json:"nudge_on,omitempty"`
	// Left says the person left the organisation (its chat directory says
	// so): their records stay, and nothing is sent to them any more.
	Left      bool      `json:"left,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Account is a person's identity on one chat platform, and where to reach
// them there.
type Account struct {
	Platform   string `json:"platform"`
	PlatformID string `json:"platform_id"`
	DM         string `json:"dm,omitempty"`
	DMRef      string `json:"dm_ref,omitempty"`
}

// Accounts lists every account of the person, the first one first.
func (u *User) Accounts() []Account {
	out := make([]Account, 0, 1+len(u.Linked))
	if u.PlatformID != "" {
		out = append(out, Account{Platform: u.Platform, PlatformID: u.PlatformID, DM: u.DM, DMRef: u.DMRef})
	}
	return append(out, u.Linked...)
}

// Account is the person's account on platform.
func (u *User) Account(platform string) (Account, bool) {
	for _, a := range u.Accounts() {
		if a.Platform == platform {
			return a, true
		}
	}
	return Account{}, false
}

// NudgeAccount is the account direct messages go to: the chosen platform's
// when the person still has an account there, else the first one.
func (u *User) NudgeAccount() Account {
	if u.NudgeOn != "" {
		if a, ok := u.Account(u.NudgeOn); ok {
			return a
		}
	}
	return Account{Platform: u.Platform, PlatformID: u.PlatformID, DM: u.DM, DMRef: u.DMRef}
}

// NudgeAccountAmong is NudgeAccount among the accounts on platforms for
// which served is true (the ones this okrbot runs): a person whose chosen
// platform is not served any more is reached on one that is.
func (u *User) NudgeAccountAmong(served func(platform string) bool) Account {
	a := u.NudgeAccount()
	if served == nil || served(a.Platform) {
		return a
	}
	for _, o := range u.Accounts() {
		if served(o.Platform) {
			return o
		}
	}
	return a
}

// SetAccount stores an account: the first one in place, another in
// Linked (added or replaced).
func (u *User) SetAccount(a Account) {
	if u.PlatformID == "" || (a.Platform == u.Platform && a.PlatformID == u.PlatformID) {
		u.Platform, u.PlatformID, u.DM, u.DMRef = a.Platform, a.PlatformID, a.DM, a.DMRef
		return
	}
	for i, l := range u.Linked {
		if l.Platform == a.Platform && l.PlatformID == a.PlatformID {
			u.Linked[i] = a
			return
		}
	}
	u.Linked = append(u.Linked, a)
}

// AccountOf is the person's account with this platform id.
func (u *User) AccountOf(platform, platformID string) (Account, bool) {
	for _, a := range u.Accounts() {
		if a.Platform == platform && a.PlatformID == platformID {
			return a, true
		}
	}
	return Account{}, false
}

// Handle names a person unambiguously in a command ("#12"), where two may
// share a name.
func (u *User) Handle() string { return "#" + strconv.FormatUint(uint64(u.ID), 10) }

// PlatformName is a chat platform as people call it.
func PlatformName(p string) string {
	switch p {
	case "slack":
		return "Slack"
	case "teams":
		return "Microsoft Teams"
	case "shell":
		return "the terminal"
	}
	return p
}

// Team is a named group of users with a lead, optionally under a parent team.
type Team struct {
	ID            ID     `json:"id"`
	Workspace     string `json:"ws"`
	Name          string `json:"name"`
	Lead          ID     `json:"lead,omitempty"`
	Members       []ID   `json:"members,omitempty"`
	Parent        ID     `json:"parent,omitempty"`
	DigestChannel string `json:"digest_channel,omitempty"`
	// DigestPlatform is the platform DigestChannel is on, for an
	// organisation served on several; empty means the workspace's.
	DigestPlatform string `json:"digest_platform,omitempty"`
	TimeZone       string `json:"tz,omitempty"`
	// Schedule overrides the workspace's rhythm for this team's members
	// and digest when set.
	Schedule *Schedule `json:"schedule,omitempty"`
}

// People are the team's lead and members, each once, the lead first: who
// its reports count.
func (t *Team) People() []ID {
	out := make([]ID, 0, len(t.Members)+1)
	if t.Lead != 0 {
		out = append(out, t.Lead)
	}
	for _, m := range t.Members {
		if m != 0 && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// HasMember reports whether the user belongs to the team (the lead counts).
func (t *Team) HasMember(u ID) bool {
	if t.Lead == u && u != 0 {
		return true
	}
	for _, m := range t.Members {
		if m == u {
			return true
		}
	}
	return false
}

// CycleKind is the span of a cycle.
type CycleKind string

const (
	CycleQuarter CycleKind = "quarter"
	CycleAnnual  CycleKind = "annual"
	CycleCustom  CycleKind = "custom"
)

// Cycle is a time period that objectives belong to. Start is inclusive, End
// exclusive, both at midnight UTC of their dates.
type Cycle struct {
	ID        ID        `json:"id"`
	Workspace string    `json:"ws"`
	Name      string    `json:"name"`
	Kind      CycleKind `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Closed    bool      `json:"closed,omitempty"`
	// Started says the cycle has been made current once (created so, set,
	// or switched to when its start came), so the schedule never again
	// switches to it on its own.
	Started bool `json:"started,omitempty"`
}

// Contains reports whether t falls inside the cycle.
func (c *Cycle) Contains(t time.Time) bool {
	return !t.Before(c.Start) && t.Before(c.End)
}

// OwnerKind says whether an owner is a person or a team.
type OwnerKind string

const (
	OwnerUser OwnerKind = "user"
	OwnerTeam OwnerKind = "team"
)

// Owner is who is accountable for an objective, key result or KPI.
type Owner struct {
	Kind OwnerKind `json:"kind"`
	ID   ID        `json:"id"`
}

// Key is a stable string form used by indexes.
func (o Owner) Key() string { return string(o.Kind) + ":" + strconv.FormatUint(uint64(o.ID), 10) }

// IsZero reports whether no owner is set.
func (o Owner) IsZero() bool { return o.ID == 0 }

// UserOwner and TeamOwner build owners.
func UserOwner(id ID) Owner { return Owner{Kind: OwnerUser, ID: id} }
func TeamOwner(id ID) Owner { return Owner{Kind: OwnerTeam, ID: id} }

// Status is how an item is doing.
type Status string

const (
	StatusNone     Status = ""
	StatusOnTrack  Status = "on_track"
	StatusAtRisk   Status = "at_risk"
	StatusOffTrack Status = "off_track"
	StatusDone     Status = "done"
)

// Label is the status as people say it.
func (s Status) Label() string {
	switch s {
	case StatusOnTrack:
		return "on track"
	case StatusAtRisk:
		return "at risk"
	case StatusOffTrack:
		return "off track"
	case StatusDone:
		return "done"
	}
	return "no status"
}

// ParseStatus reads "on track", "at-risk", "off_track" and similar.
func ParseStatus(s string) (Status, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	switch s {
	case "on track", "ontrack", "green":
		return StatusOnTrack, true
	case "at risk", "atrisk", "amber", "yellow":
		return StatusAtRisk, true
	case "off track", "offtrack", "red", "behind":
		return StatusOffTrack, true
	}
	return "", false
}

// Objective is a qualitative goal for a cycle.
type Objective struct {
	ID        ID     `json:"id"`
	Workspace string `json:"ws"`
	Cycle     ID     `json:"cycle"`
	Title     string `json:"title"`
	Owner     Owner  `json:"owner"`
	// ParentKR or ParentObjective aligns this objective under one item of the
	// level above; at most one is set.
	ParentKR        ID        `json:"parent_kr,omitempty"`
	ParentObjective ID        `json:"parent_objective,omitempty"`
	CarriedFrom     ID        `json:"carried_from,omitempty"` // the objective of an earlier cycle it continues
	Weight          float64   `json:"weight,omitempty"`
	Progress        float64   `json:"progress"`
	Status          Status    `json:"status,omitempty"`
	Score           *float64  `json:"score,omitempty"`
	CreatedBy       ID        `json:"created_by,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// MetricKind is how a key result is measured.
type MetricKind string

const (
	MetricPercent   MetricKind = "percent"
	MetricNumber    MetricKind = "number"
	MetricCurrency  MetricKind = "currency"
	MetricMilestone MetricKind = "milestone"
)

// Direction says whether a metric should go up or down.
type Direction string

const (
	Increase Direction = "increase"
	Decrease Direction = "decrease"
)

// KeyResult is a measurable outcome of an objective. Current, Progress and
// Status are kept on the record, updated in the same transaction as each
// check-in, so reading OKRs never replays history.
type KeyResult struct {
	ID         ID         `json:"id"`
	Workspace  string     `json:"ws"`
	Objective  ID         `json:"objective"`
	Cycle      ID         `json:"cycle"`
	Title      string     `json:"title"`
	Owner      Owner      `json:"owner"`
	Metric     MetricKind `json:"metric"`
	Start      float64    `json:"start"`
	Target     float64    `json:"target"`
	Current    float64    `json:"current"`
	Unit       string     `json:"unit,omitempty"`
	Direction  Direction  `json:"direction"`
	Weight     float64    `json:"weight"`
	Progress   float64    `json:"progress"`
	Status     Status     `json:"status,omitempty"`
	Confidence *int       `json:"confidence,omitempty"`
	// StatusSet: the last check-in stated a status (or a confidence), which
	// Status holds and Stated dates. Views read KRStanding, not Status.
	StatusSet   bool       `json:"status_set,omitempty"`
	Stated      *Statement `json:"stated,omitempty"`
	LastCheckIn time.Time  `json:"last_checkin,omitempty"`
	Score       *float64   `json:"score,omitempty"`
	// At a cycle's close its owner decides what becomes of an unfinished
	// key result (Outcome); a carried one continues as CarriedTo in the
	// next cycle, which starts from its last value and names it as
	// CarriedFrom, so that its history reads on.
	Outcome     Outcome   `json:"outcome,omitempty"`
	CarriedFrom ID        `json:"carried_from,omitempty"`
	CarriedTo   ID        `json:"carried_to,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Outcome is what became of a key result left unfinished at its cycle's
// close; empty while its owner has not said.
type Outcome string

const (
	OutcomeCarried Outcome = "carried"
	OutcomeDropped Outcome = "dropped"
	OutcomeKept    Outcome = "kept"
)

// KPI is a business-as-usual health metric: checked in like a key result,
// judged against a healthy range, never graded.
type KPI struct {
	ID          ID        `json:"id"`
	Workspace   string    `json:"ws"`
	Title       string    `json:"title"`
	Owner       Owner     `json:"owner"`
	Unit        string    `json:"unit,omitempty"`
	Current     float64   `json:"current"`
	HealthyMin  float64   `json:"healthy_min"`
	HealthyMax  float64   `json:"healthy_max"`
	LastCheckIn time.Time `json:"last_checkin,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Healthy reports whether the current value is inside the healthy range.
func (k *KPI) Healthy() bool { return k.Current >= k.HealthyMin && k.Current <= k.HealthyMax }

// Initiative is a piece of work linked to a key result.
type Initiative struct {
	ID        ID        `json:"id"`
	Workspace string    `json:"ws"`
	KeyResult ID        `json:"kr"`
	Title     string    `json:"title"`
	Owner     ID        `json:"owner,omitempty"`
	Done      bool      `json:"done,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// TargetKind says what a check-in is about.
type TargetKind string

const (
	TargetKR  TargetKind = "kr"
	TargetKPI TargetKind = "kpi"
)

// CheckIn is one progress report. Check-ins are append-only history.
type CheckIn struct {
	ID         ID         `json:"id"`
	Workspace  string     `json:"ws"`
	Target     TargetKind `json:"target"`
	TargetID   ID         `json:"target_id"`
	Author     ID         `json:"author"`
	At         time.Time  `json:"at"`
	Value      float64    `json:"value"`
	Previous   float64    `json:"previous"`
	Confidence *int       `json:"confidence,omitempty"`
	Status     Status     `json:"status,omitempty"`
	Note       string     `json:"note,omitempty"`
	Blockers   string     `json:"blockers,omitempty"`
	// Prior is what the check-in changed besides the value, as it was, for
	// an undo; UndoOf, on an undo's check-in, is the one it takes back.
	Prior  *Prior `json:"prior,omitempty"`
	UndoOf ID     `json:"undo_of,omitempty"`
}

// Ref is a typed, human-readable reference such as O12, KR34, KPI3, I7 or T2.
type Ref struct {
	Kind RefKind
	ID   ID
}

// RefKind is the prefix of a Ref.
type RefKind string

const (
	RefObjective  RefKind = "O"
	RefKeyResult  RefKind = "KR"
	RefKPI        RefKind = "KPI"
	RefInitiative RefKind = "I"
	RefTeam       RefKind = "T"
	RefCycle      RefKind = "C"
)

func (r Ref) String() string { return string(r.Kind) + strconv.FormatUint(uint64(r.ID), 10) }

// ParseRef reads "KR34", "kr34", "O12" and the like.
func ParseRef(s string) (Ref, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "#")
	// Longest prefixes first: KPI before KR, KR before nothing.
	for _, k := range []RefKind{RefKPI, RefKeyResult, RefObjective, RefInitiative, RefTeam, RefCycle} {
		if !strings.HasPrefix(s, string(k)) {
			continue
		}
		n, err := strconv.ParseUint(s[len(k):], 10, 64)
		if err != nil || n == 0 {
			return Ref{}, false
		}
		return Ref{Kind: k, ID: ID(n)}, true
	}
	return Ref{}, false
}

// Refs of records.
func (o *Objective) Ref() Ref  { return Ref{RefObjective, o.ID} }
func (k *KeyResult) Ref() Ref  { return Ref{RefKeyResult, k.ID} }
func (k *KPI) Ref() Ref        { return Ref{RefKPI, k.ID} }
func (i *Initiative) Ref() Ref { return Ref{RefInitiative, i.ID} }
func (t *Team) Ref() Ref       { return Ref{RefTeam, t.ID} }

// FormatValue renders a key result value with its unit.
func FormatValue(v float64, metric MetricKind, unit string) string {
	switch metric {
	case MetricMilestone:
		if v >= 1 {
			return "done"
		}
		return "not done"
	case MetricPercent:
		return trimFloat(v) + "%"
	case MetricCurrency:
		if unit == "" {
			unit = "$"
		}
		return unit + humanNumber(v)
	}
	s := humanNumber(v)
	if unit != "" {
		return s + " " + unit
	}
	return s
}

func humanNumber(v float64) string {
	a := v
	if a < 0 {
		a = -a
	}
	switch {
	// Thresholds sit just below the round numbers so that 999,999 reads
	// "1M", not "1000k".
	case a >= 1e9-5e5:
		return trimFloat(v/1e9) + "B"
	case a >= 1e6-5:
		return trimFloat(v/1e6) + "M"
	case a >= 1e4:
		return trimFloat(v/1e3) + "k"
	}
	return trimFloat(v)
}

func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" { // a tiny negative rounds to zero, not to "-0"
		return "0"
	}
	return s
}

// Percent renders a fraction in [0,1] as "45%".
func Percent(p float64) string { return fmt.Sprintf("%d%%", int(p*100+0.5)) }
