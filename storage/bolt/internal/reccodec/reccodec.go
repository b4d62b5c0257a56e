// Package reccodec is the compact binary form storage/bolt keeps the
// records every view reads in: people, teams, objectives and key results.
// A team's page decodes a few hundred of them and `/okr mine` dozens, and
// as JSON that decoding was a fifth of what okrbot serve spent under a
// load of slash commands; this form reads in a fraction of the time and
// takes about half the bytes.
//
// Each value is a format byte (Format: never '{', so that a value stored
// as JSON by an older okrbot is told apart and still read), a uvarint of
// flags for the booleans and the pointers that are set, then the fields in
// the order of their struct, in package wire's forms; a number is its form
// byte and its value. The workspace is written too (the key has it, but a
// record is checked against its key) and, when the caller knows it, read
// back into the caller's string instead of a copy.
//
// A field added to one of these records must be added here, at the end of
// its kind, under a new Format that still reads the old one, or behind a
// new flag that says it follows at the end (as a carried-over record's
// lineage does: a value without the flag reads as before):
// TestEveryFieldRoundTrips fills every field and fails until it is.
package reccodec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/wire"
)

// Format is the first byte of every value this package writes.
const Format = 1

// IsCompact reports whether v is in this package's form rather than JSON.
func IsCompact(v []byte) bool { return len(v) > 0 && v[0] == Format }

var errFormat = errors.New("unknown format")

// Flags of a user.
const (
	userEmailVerified = 1 << iota
	userLeft
	userKnown = 1<<iota - 1
)

// Flags of a team.
const (
	teamSchedule = 1 << iota
	teamKnown    = 1<<iota - 1
)

// Flags of an objective.
const (
	objScore   = 1 << iota
	objCarried // CarriedFrom follows at the end
	objKnown   = 1<<iota - 1
)

// Flags of a key result.
const (
	krConfidence = 1 << iota
	krStatusSet
	krStated
	krScore
	krLineage // Outcome, CarriedFrom and CarriedTo follow at the end
	krKnown   = 1<<iota - 1
)

// writer appends to a value.
type writer struct{ b []byte }

func (w *writer) uvarint(v uint64)        { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) varint(v int64)          { w.b = binary.AppendVarint(w.b, v) }
func (w *writer) id(v okrcore.ID)         { w.uvarint(uint64(v)) }
func (w *writer) str(s string)            { w.b = wire.AppendStr(w.b, s) }
func (w *writer) time(t time.Time)        { w.b = wire.AppendTime(w.b, t, wire.TimeBase) }
func (w *writer) status(s okrcore.Status) { w.b = wire.AppendStatus(w.b, s) }

func (w *writer) num(v float64) {
	f := wire.NumForm(v)
	w.b = append(w.b, byte(f))
	w.b = wire.AppendNum(w.b, v, f)
}

func (w *writer) owner(o okrcore.Owner) {
	w.str(string(o.Kind))
	w.id(o.ID)
}

func start(b []byte, flags uint64) *writer {
	w := &writer{b: append(b[:0], Format)}
	w.uvarint(flags)
	return w
}

// reader reads a value, on wire.Reader.
type reader struct {
	*wire.Reader
	ws string // the caller's workspace, when it knows it
}

// open checks the format and reads the flags, refusing unknown ones.
func open(v []byte, ws string, known uint64) (*reader, uint64, error) {
	if !IsCompact(v) {
		return nil, 0, errFormat
	}
	r := &reader{Reader: wire.NewReader(v[1:]), ws: ws}
	flags := r.Uvarint()
	if r.Err() == nil && flags&^known != 0 {
		return nil, 0, fmt.Errorf("unknown flags %#x", flags&^known)
	}
	return r, flags, r.Err()
}

// workspace is the stored workspace, as the caller's string when it is
// the same.
func (r *reader) workspace() string {
	b := r.RawStr()
	if string(b) == r.ws {
		return r.ws
	}
	return string(b)
}

func (r *reader) num() float64 {
	f := r.Bytes(1)
	if len(f) == 0 {
		return 0
	}
	return r.Num(uint64(f[0]))
}

func (r *reader) time() time.Time { return r.Time(wire.TimeBase) }

// word reads a string that is mostly one of a few values (a platform, a
// kind, a metric), as the constant itself: no copy for the usual ones.
func (r *reader) word(known ...string) string {
	b := r.RawStr()
	for _, k := range known {
		if string(b) == k {
			return k
		}
	}
	return string(b)
}

func (r *reader) platform() string { return r.word("slack", "teams", "shell") }

func (r *reader) owner() okrcore.Owner {
	kind := okrcore.OwnerKind(r.word(string(okrcore.OwnerUser), string(okrcore.OwnerTeam)))
	return okrcore.Owner{Kind: kind, ID: r.ID()}
}

func (r *reader) float() *float64 {
	f := r.num()
	return &f
}

// count is a length of a list of at least min bytes an element, refused
// when the value cannot hold it (damaged bytes must not allocate much).
func (r *reader) count(left int, min int) int {
	n := r.Uvarint()
	if n > uint64(left/min) {
		r.Fail(wire.ErrShort)
		return 0
	}
	return int(n)
}

func finish(what string, id okrcore.ID, r *reader) error {
	if err := r.End(); err != nil {
		return fmt.Errorf("decode %s %d: %w", what, id, err)
	}
	return nil
}

// EncodeUser appends u's value to b[:0].
func EncodeUser(b []byte, u *okrcore.User) []byte {
	var flags uint64
	if u.EmailVerified {
		flags |= userEmailVerified
	}
	if u.Left {
		flags |= userLeft
	}
	w := start(b, flags)
	w.id(u.ID)
	w.str(u.Workspace)
	w.str(u.Platform)
	w.str(u.PlatformID)
	w.str(u.Name)
	w.str(u.Email)
	w.str(u.TimeZone)
	w.str(string(u.Role))
	w.str(u.DM)
	w.str(u.DMRef)
	w.uvarint(uint64(len(u.Linked)))
	for _, a := range u.Linked {
		w.str(a.Platform)
		w.str(a.PlatformID)
		w.str(a.DM)
		w.str(a.DMRef)
	}
	w.str(u.NudgeOn)
	w.time(u.CreatedAt)
	return w.b
}

// DecodeUser reads a value EncodeUser wrote into u; ws is the workspace
// the caller expects ("" when it does not know). Bad bytes give an error,
// never a panic.
func DecodeUser(v []byte, ws string, u *okrcore.User) error {
	r, flags, err := open(v, ws, userKnown)
	if err != nil {
		return fmt.Errorf("decode user: %w", err)
	}
	*u = okrcore.User{ID: r.ID(), Workspace: r.workspace(), Platform: r.platform(), PlatformID: r.Str(), Name: r.Str(), Email: r.Str(),
		EmailVerified: flags&userEmailVerified != 0, TimeZone: r.Str(),
		Role: okrcore.Role(r.word(string(okrcore.RoleMember), string(okrcore.RoleAdmin), string(okrcore.RoleObserver))),
		DM:   r.Str(), DMRef: r.Str(), Left: flags&userLeft != 0}
	if n := r.count(len(v), 4); n > 0 {
		u.Linked = make([]okrcore.Account, n)
		for i := range u.Linked {
			u.Linked[i] = okrcore.Account{Platform: r.platform(), PlatformID: r.Str(), DM: r.Str(), DMRef: r.Str()}
		}
	}
	u.NudgeOn = r.platform()
	u.CreatedAt = r.time()
	return finish("user", u.ID, r)
}

// EncodeTeam appends t's value to b[:0].
func EncodeTeam(b []byte, t *okrcore.Team) []byte {
	var flags uint64
	if t.Schedule != nil {
		flags |= teamSchedule
	}
	w := start(b, flags)
	w.id(t.ID)
	w.str(t.Workspace)
	w.str(t.Name)
	w.id(t.Lead)
	w.uvarint(uint64(len(t.Members)))
	for _, m := range t.Members {
		w.id(m)
	}
	w.id(t.Parent)
	w.str(t.DigestChannel)
	w.str(t.DigestPlatform)
	w.str(t.TimeZone)
	if s := t.Schedule; s != nil {
		for _, slot := range []okrcore.Slot{s.CheckIn, s.Reminder, s.Digest, s.ManagerDigest} {
			w.str(string(slot.Cadence))
			w.varint(int64(slot.Weekday))
			w.varint(int64(slot.Day))
			w.varint(int64(slot.Hour))
			w.varint(int64(slot.Minute))
		}
		w.varint(int64(s.GradingDays))
	}
	return w.b
}

// DecodeTeam reads a value EncodeTeam wrote into t (see DecodeUser).
func DecodeTeam(v []byte, ws string, t *okrcore.Team) error {
	r, flags, err := open(v, ws, teamKnown)
	if err != nil {
		return fmt.Errorf("decode team: %w", err)
	}
	*t = okrcore.Team{ID: r.ID(), Workspace: r.workspace(), Name: r.Str(), Lead: r.ID()}
	if n := r.count(len(v), 1); n > 0 {
		t.Members = make([]okrcore.ID, n)
		for i := range t.Members {
			t.Members[i] = r.ID()
		}
	}
	t.Parent, t.DigestChannel, t.DigestPlatform, t.TimeZone = r.ID(), r.Str(), r.platform(), r.Str()
	if flags&teamSchedule != 0 {
		s := &okrcore.Schedule{}
		for _, slot := range []*okrcore.Slot{&s.CheckIn, &s.Reminder, &s.Digest, &s.ManagerDigest} {
			*slot = okrcore.Slot{Cadence: okrcore.Cadence(r.word(string(okrcore.Weekly))), Weekday: time.Weekday(r.Varint()),
				Day: int(r.Varint()), Hour: int(r.Varint()), Minute: int(r.Varint())}
		}
		s.GradingDays = int(r.Varint())
		t.Schedule = s
	}
	return finish("team", t.ID, r)
}

// EncodeObjective appends o's value to b[:0].
func EncodeObjective(b []byte, o *okrcore.Objective) []byte {
	var flags uint64
	if o.Score != nil {
		flags |= objScore
	}
	if o.CarriedFrom != 0 {
		flags |= objCarried
	}
	w := start(b, flags)
	w.id(o.ID)
	w.str(o.Workspace)
	w.id(o.Cycle)
	w.str(o.Title)
	w.owner(o.Owner)
	w.id(o.ParentKR)
	w.id(o.ParentObjective)
	w.num(o.Weight)
	w.num(o.Progress)
	w.status(o.Status)
	if o.Score != nil {
		w.num(*o.Score)
	}
	w.id(o.CreatedBy)
	w.time(o.CreatedAt)
	w.time(o.UpdatedAt)
	if o.CarriedFrom != 0 {
		w.id(o.CarriedFrom)
	}
	return w.b
}

// DecodeObjective reads a value EncodeObjective wrote into o (see
// DecodeUser).
func DecodeObjective(v []byte, ws string, o *okrcore.Objective) error {
	r, flags, err := open(v, ws, objKnown)
	if err != nil {
		return fmt.Errorf("decode objective: %w", err)
	}
	*o = okrcore.Objective{ID: r.ID(), Workspace: r.workspace(), Cycle: r.ID(), Title: r.Str(), Owner: r.owner(),
		ParentKR: r.ID(), ParentObjective: r.ID(), Weight: r.num(), Progress: r.num(), Status: r.Status()}
	if flags&objScore != 0 {
		o.Score = r.float()
	}
	o.CreatedBy, o.CreatedAt, o.UpdatedAt = r.ID(), r.time(), r.time()
	if flags&objCarried != 0 {
		o.CarriedFrom = r.ID()
	}
	return finish("objective", o.ID, r)
}

var metrics = []string{string(okrcore.MetricPercent), string(okrcore.MetricNumber), string(okrcore.MetricCurrency), string(okrcore.MetricMilestone)}

// EncodeKeyResult appends k's value to b[:0].
func EncodeKeyResult(b []byte, k *okrcore.KeyResult) []byte {
	var flags uint64
	set := func(bit uint64, on bool) {
		if on {
			flags |= bit
		}
	}
	set(krConfidence, k.Confidence != nil)
	set(krStatusSet, k.StatusSet)
	set(krStated, k.Stated != nil)
	set(krScore, k.Score != nil)
	set(krLineage, k.Outcome != "" || k.CarriedFrom != 0 || k.CarriedTo != 0)
	w := start(b, flags)
	w.id(k.ID)
	w.str(k.Workspace)
	w.id(k.Objective)
	w.id(k.Cycle)
	w.str(k.Title)
	w.owner(k.Owner)
	w.str(string(k.Metric))
	w.num(k.Start)
	w.num(k.Target)
	w.num(k.Current)
	w.str(k.Unit)
	w.str(string(k.Direction))
	w.num(k.Weight)
	w.num(k.Progress)
	w.status(k.Status)
	if k.Confidence != nil {
		w.varint(int64(*k.Confidence))
	}
	if s := k.Stated; s != nil {
		w.status(s.Status)
		w.id(s.By)
		w.time(s.At)
		w.time(s.Until)
	}
	w.time(k.LastCheckIn)
	if k.Score != nil {
		w.num(*k.Score)
	}
	w.time(k.CreatedAt)
	w.time(k.UpdatedAt)
	if flags&krLineage != 0 {
		w.str(string(k.Outcome))
		w.id(k.CarriedFrom)
		w.id(k.CarriedTo)
	}
	return w.b
}

// DecodeKeyResult reads a value EncodeKeyResult wrote into k (see
// DecodeUser).
func DecodeKeyResult(v []byte, ws string, k *okrcore.KeyResult) error {
	r, flags, err := open(v, ws, krKnown)
	if err != nil {
		return fmt.Errorf("decode key result: %w", err)
	}
	*k = okrcore.KeyResult{ID: r.ID(), Workspace: r.workspace(), Objective: r.ID(), Cycle: r.ID(), Title: r.Str(), Owner: r.owner(),
		Metric: okrcore.MetricKind(r.word(metrics...)), Start: r.num(), Target: r.num(), Current: r.num(), Unit: r.word("%", ""),
		Direction: okrcore.Direction(r.word(string(okrcore.Increase), string(okrcore.Decrease))), Weight: r.num(), Progress: r.num(),
		Status: r.Status(), StatusSet: flags&krStatusSet != 0}
	if flags&krConfidence != 0 {
		k.Confidence = r.Int()
	}
	if flags&krStated != 0 {
		k.Stated = &okrcore.Statement{Status: r.Status(), By: r.ID(), At: r.time(), Until: r.time()}
	}
	k.LastCheckIn = r.time()
	if flags&krScore != 0 {
		k.Score = r.float()
	}
	k.CreatedAt, k.UpdatedAt = r.time(), r.time()
	if flags&krLineage != 0 {
		k.Outcome = okrcore.Outcome(r.word(string(okrcore.OutcomeCarried), string(okrcore.OutcomeDropped), string(okrcore.OutcomeKept)))
		k.CarriedFrom, k.CarriedTo = r.ID(), r.ID()
	}
	return finish("key result", k.ID, r)
}
