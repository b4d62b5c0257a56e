package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/inbox"
	"github.com/okrbot/okrbot/okrcore"
)

// okrbot migrate copies one database into another through the okrcore
// store interface: a bbolt file into an empty PostgreSQL database, or
// back. Records keep their IDs; what is copied is then read again on both
// sides and compared, kind by kind, by count and checksum.
//
// Copied: every workspace and, in each, people, teams, cycles,
// objectives, key results, KPIs, initiatives and the whole check-in
// history; the scheduled messages still to be sent; the inbox of events
// acknowledged and not yet handled. Not copied: messages already sent
// (kept for a while for reference only, then purged) and conversation
// state (a half-finished guided check-in, which expires within hours).

// migrateFlags are the settings of okrbot migrate.
type migrateFlags struct {
	from, to string
}

// migrateFlagsOn defines --from and --to.
func migrateFlagsOn(fs *flag.FlagSet, m *migrateFlags) {
	fs.StringVar(&m.from, "from", "", "okrbot migrate: the database to copy, a file or a postgres:// URL")
	fs.StringVar(&m.to, "to", "", "okrbot migrate: where to copy it, an empty PostgreSQL database or a new file")
}

func checkMigrateArgs(cfg *config) error {
	m := cfg.migrate
	if len(cfg.args) != 0 || m.from == "" || m.to == "" {
		return errors.New("usage: okrbot migrate --from okrbot.db --to postgres://user@host/db (or --from postgres://… --to FILE)")
	}
	if isServer(m.from) == isServer(m.to) {
		return errors.New("okrbot migrate copies a database file into PostgreSQL or PostgreSQL into a file: give one of each")
	}
	return nil
}

// migrateChunk is how many records one transaction of the copy writes.
const migrateChunk = 5000

func migrateCommand(ctx context.Context, cfg *config, stdout io.Writer, log *slog.Logger) error {
	from, to := cfg.migrate.from, cfg.migrate.to
	var err error
	for _, u := range []*string{&from, &to} {
		if isServer(*u) {
			if *u, err = withPassword(*u, cfg.getenv); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
		}
	}
	if !isServer(to) {
		if st, err := os.Stat(to); err == nil && st.Size() > 0 {
			return fmt.Errorf("migrate: %s exists and is not empty; okrbot migrate writes only a new file", to)
		}
		if err := checkDatabasePath(to); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	} else if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("migrate: no database at %s", from)
	}
	src, err := openBackend(from, openOptions{log: log, wait: 300 * time.Millisecond, readOnly: true})
	if errors.Is(err, errHeld) {
		return fmt.Errorf("migrate: okrbot is running on %s; stop it first, nothing was copied", from)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer src.Close()
	dst, err := openBackend(to, openOptions{log: log})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	created := !isServer(to)
	ok := false
	defer func() {
		dst.Close()
		if created && !ok {
			os.Remove(to)
		}
	}()
	if e, isEmpty := dst.(interface {
		Empty(context.Context) (bool, error)
	}); isEmpty {
		empty, err := e.Empty(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if !empty {
			return fmt.Errorf("migrate: the database %s already holds okrbot data; okrbot migrate copies only into an empty database", where(to))
		}
	}
	sums, err := migrate(ctx, src, dst)
	if err != nil {
		if !created {
			err = fmt.Errorf("%w; the database %s holds part of the copy: empty it before trying again", err, where(to))
		}
		return fmt.Errorf("migrate: %w", err)
	}
	ok = true
	fmt.Fprintf(stdout, "Copied %s to %s, and read both back:\n", where(from), where(to))
	for _, s := range sums {
		fmt.Fprintf(stdout, "  %-18s %9d  same on both sides (sha256 %s)\n", s.kind, s.n, s.sum[:12])
	}
	return nil
}

// where names a database for messages: a file as given, a server without
// the password.
func where(setting string) string {
	if !isServer(setting) {
		return setting
	}
	if i := strings.Index(setting, "://"); i >= 0 {
		rest := setting[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		if q := strings.IndexByte(rest, '?'); q >= 0 {
			rest = rest[:q]
		}
		return rest
	}
	return "the PostgreSQL database"
}

// snapshot is everything migrate copies, read in one transaction.
type snapshot struct {
	workspaces  []*okrcore.Workspace
	users       []*okrcore.User
	teams       []*okrcore.Team
	cycles      []*okrcore.Cycle
	objectives  []*okrcore.Objective
	keyResults  []*okrcore.KeyResult
	kpis        []*okrcore.KPI
	initiatives []*okrcore.Initiative
	checkIns    []*okrcore.CheckIn
	outbox      []*okrcore.OutboxItem
	inbox       []inboxSlot
}

type inboxSlot struct {
	key   string
	value []byte
}

// kindSum is one kind's count and checksum.
type kindSum struct {
	kind string
	n    int
	sum  string
}

// migrate copies src into dst and compares what each then holds.
func migrate(ctx context.Context, src, dst okrcore.Store) ([]kindSum, error) {
	snap, err := okrcore.View(ctx, src, readSnapshot)
	if err != nil {
		return nil, fmt.Errorf("read the database to copy: %w", err)
	}
	if err := writeSnapshot(ctx, dst, snap); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	copied, err := okrcore.View(ctx, dst, readSnapshot)
	if err != nil {
		return nil, fmt.Errorf("read the copy back: %w", err)
	}
	want, got := snap.sums(), copied.sums()
	for i := range want {
		if want[i] != got[i] {
			return nil, fmt.Errorf("the copy differs from the original in %s: %d with sha256 %s, against %d with %s",
				want[i].kind, got[i].n, got[i].sum[:12], want[i].n, want[i].sum[:12])
		}
	}
	return want, nil
}

// readSnapshot reads everything migrate copies. Initiatives and check-ins
// have no list of their own: they are found by key result, KPI, owner
// and author, and kept once each.
func readSnapshot(tx okrcore.Tx) (*snapshot, error) {
	s := &snapshot{}
	var err error
	if s.workspaces, err = tx.Workspaces(); err != nil {
		return nil, err
	}
	for _, w := range s.workspaces {
		if err := s.readWorkspace(tx, w.ID); err != nil {
			return nil, fmt.Errorf("workspace %s: %w", w.ID, err)
		}
	}
	if s.outbox, err = tx.DueOutbox(time.Unix(0, math.MaxInt64), 0); err != nil {
		return nil, err
	}
	slices.SortFunc(s.outbox, func(a, b *okrcore.OutboxItem) int {
		return cmp.Or(strings.Compare(a.Workspace, b.Workspace), cmp.Compare(a.ID, b.ID))
	})
	for slot := range inbox.DefaultSlots {
		v, err := tx.State(inbox.Scope, inbox.Key(slot))
		if okrcore.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.inbox = append(s.inbox, inboxSlot{inbox.Key(slot), v})
	}
	return s, nil
}

func (s *snapshot) readWorkspace(tx okrcore.Tx, ws string) error {
	users, err := tx.Users(ws)
	if err != nil {
		return err
	}
	teams, err := tx.Teams(ws)
	if err != nil {
		return err
	}
	cycles, err := tx.Cycles(ws)
	if err != nil {
		return err
	}
	objectives, err := tx.ObjectivesByCycle(ws, 0)
	if err != nil {
		return err
	}
	krs, err := tx.KeyResultsByCycle(ws, 0)
	if err != nil {
		return err
	}
	kpis, err := tx.KPIs(ws)
	if err != nil {
		return err
	}
	initiatives := map[okrcore.ID]*okrcore.Initiative{}
	checkIns := map[okrcore.ID]*okrcore.CheckIn{}
	addCheckIns := func(list []*okrcore.CheckIn, err error) error {
		for _, c := range list {
			checkIns[c.ID] = c
		}
		return err
	}
	for _, k := range krs {
		list, err := tx.InitiativesByKeyResult(ws, k.ID)
		if err != nil {
			return err
		}
		for _, i := range list {
			initiatives[i.ID] = i
		}
		if err := addCheckIns(tx.CheckIns(ws, okrcore.TargetKR, k.ID, time.Time{}, 0)); err != nil {
			return err
		}
	}
	for _, k := range kpis {
		if err := addCheckIns(tx.CheckIns(ws, okrcore.TargetKPI, k.ID, time.Time{}, 0)); err != nil {
			return err
		}
	}
	for _, u := range users {
		list, err := tx.InitiativesByOwner(ws, u.ID)
		if err != nil {
			return err
		}
		for _, i := range list {
			initiatives[i.ID] = i
		}
		if err := addCheckIns(tx.CheckInsByAuthor(ws, u.ID, time.Time{}, 0)); err != nil {
			return err
		}
	}
	s.users = append(s.users, users...)
	s.teams = append(s.teams, teams...)
	s.cycles = append(s.cycles, cycles...)
	s.objectives = append(s.objectives, objectives...)
	s.keyResults = append(s.keyResults, krs...)
	s.kpis = append(s.kpis, kpis...)
	s.initiatives = append(s.initiatives, sortedByID(initiatives)...)
	s.checkIns = append(s.checkIns, sortedByID(checkIns)...)
	return nil
}

func sortedByID[T any](m map[okrcore.ID]*T) []*T {
	ids := make([]okrcore.ID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		out = append(out, m[id])
	}
	return out
}

// writeSnapshot writes s into dst in transactions of migrateChunk writes,
// every record under its own ID.
func writeSnapshot(ctx context.Context, dst okrcore.Store, s *snapshot) error {
	var steps []func(okrcore.Tx) error
	for _, w := range s.workspaces {
		steps = append(steps, func(tx okrcore.Tx) error { return tx.PutWorkspace(w) })
	}
	steps = appendPuts(steps, s.users, okrcore.Tx.PutUser)
	steps = appendPuts(steps, s.teams, okrcore.Tx.PutTeam)
	steps = appendPuts(steps, s.cycles, okrcore.Tx.PutCycle)
	steps = appendPuts(steps, s.objectives, okrcore.Tx.PutObjective)
	steps = appendPuts(steps, s.keyResults, okrcore.Tx.PutKeyResult)
	steps = appendPuts(steps, s.kpis, okrcore.Tx.PutKPI)
	steps = appendPuts(steps, s.initiatives, okrcore.Tx.PutInitiative)
	steps = appendPuts(steps, s.checkIns, okrcore.Tx.AddCheckIn)
	steps = appendPuts(steps, s.outbox, func(tx okrcore.Tx, it *okrcore.OutboxItem) error {
		added, err := tx.AddOutbox(it)
		if err == nil && !added {
			err = fmt.Errorf("scheduled message %q is in the copy twice", it.Key)
		}
		return err
	})
	for _, e := range s.inbox {
		steps = append(steps, func(tx okrcore.Tx) error { return tx.PutState(inbox.Scope, e.key, e.value, time.Time{}) })
	}
	for start := 0; start < len(steps); start += migrateChunk {
		chunk := steps[start:min(start+migrateChunk, len(steps))]
		err := dst.Update(ctx, func(tx okrcore.Tx) error {
			for _, step := range chunk {
				if err := step(tx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// appendPuts adds one step per record; each puts a copy, so that a run
// that a store repeats starts from the record as read.
func appendPuts[T any](steps []func(okrcore.Tx) error, list []*T, put func(okrcore.Tx, *T) error) []func(okrcore.Tx) error {
	for _, r := range list {
		steps = append(steps, func(tx okrcore.Tx) error {
			c := *r
			return put(tx, &c)
		})
	}
	return steps
}

// sums are the count and checksum of each kind, in a fixed order.
func (s *snapshot) sums() []kindSum {
	slots := make([]any, len(s.inbox))
	for i, e := range s.inbox {
		slots[i] = map[string]any{"key": e.key, "value": e.value}
	}
	return []kindSum{
		sumOf("workspaces", s.workspaces), sumOf("people", s.users), sumOf("teams", s.teams),
		sumOf("cycles", s.cycles), sumOf("objectives", s.objectives), sumOf("key results", s.keyResults),
		sumOf("KPIs", s.kpis), sumOf("initiatives", s.initiatives), sumOf("check-ins", s.checkIns),
		sumOf("scheduled messages", s.outbox), sumOf("inbox events", slots),
	}
}

// sumOf hashes the JSON of each record in order. JSON is the records' own
// form, so two stores agree on it exactly when they hold the same records.
func sumOf[T any](kind string, list []T) kindSum {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, r := range list {
		_ = enc.Encode(r) // a hash takes every write
	}
	return kindSum{kind: kind, n: len(list), sum: hex.EncodeToString(h.Sum(nil))}
}
