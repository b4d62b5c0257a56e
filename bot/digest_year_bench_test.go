package bot_test

// The digests with the company's year current beside the quarter: the
// same organisation as digest_bench_test.go's, where every team also has
// an objective of the year 2026 with a key result for each of its members
// (owned by them, four check-ins each through the year), so that a digest
// reads every person's and every team's OKRs of two cycles. They run as
// the "year" sub-benchmarks of BenchmarkTeamDigest and
// BenchmarkManagerDigest, with the year current only while they run.

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
)

// yearOf is the year's objectives written once into quarterDigest's
// store (their cycle left current, as the admin made it).
var yearOf struct {
	once sync.Once
	id   okrcore.ID
	note string
	err  error
}

// withYear makes the year 2026 current beside the quarter (writing it and
// its objectives first, once) for the benchmarks fn runs, and the quarter
// alone current again after them, so that the other benchmarks read what
// they always read.
func withYear(b *testing.B, fn func()) {
	b.Helper()
	org, _ := quarterOrg(b)
	yearOf.once.Do(func() { yearOf.id, yearOf.note, yearOf.err = writeYear(org.Workspace) })
	if yearOf.err != nil {
		b.Fatal(yearOf.err)
	}
	if yearOf.note != "" { // logged by the first leaf benchmark (benchCompose)
		quarterDigest.note, yearOf.note = yearOf.note, ""
	}
	setAlso := func(ids []okrcore.ID) {
		err := quarterDigest.db.Update(context.Background(), func(tx okrcore.Tx) error {
			w, err := tx.Workspace(org.Workspace)
			if err != nil {
				return err
			}
			w.AlsoCurrent = ids
			return tx.PutWorkspace(w)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	setAlso([]okrcore.ID{yearOf.id})
	defer setAlso(nil)
	fn()
}

// writeYear creates the year 2026 and, for each team, an objective of it
// with a key result per member and four check-ins on each, through
// okrcore's operations as the admin, a batch of teams per transaction.
func writeYear(ws string) (okrcore.ID, string, error) {
	ctx := context.Background()
	db := quarterDigest.db
	start := time.Now()
	jan := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
	var year *okrcore.Cycle
	var teams []*okrcore.Team
	err := db.Update(ctx, func(tx okrcore.Tx) error {
		admin, err := tx.User(ws, 1)
		if err != nil {
			return err
		}
		if year, _, err = cycles.Create(tx, jan, admin, func() (okrcore.Cycle, error) { return okrcore.ParseCycle("2026") }); err != nil {
			return err
		}
		teams, err = tx.Teams(ws)
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("create the year: %w", err)
	}
	slices.SortFunc(teams, func(a, b *okrcore.Team) int { return int(a.ID) - int(b.ID) })
	krs, checkIns := 0, 0
	const batch = 100
	for i := 0; i < len(teams); i += batch {
		err := db.Update(ctx, func(tx okrcore.Tx) error {
			admin, err := tx.User(ws, 1)
			if err != nil {
				return err
			}
			for _, t := range teams[i:min(i+batch, len(teams))] {
				o := &okrcore.Objective{Title: "Year of " + t.Name, Owner: okrcore.TeamOwner(t.ID), Cycle: year.ID}
				if _, err := okrcore.CreateObjective(tx, jan, admin, o); err != nil {
					return fmt.Errorf("objective of %s: %w", t.Name, err)
				}
				for _, m := range append([]okrcore.ID{t.Lead}, t.Members...) {
					if m == 0 {
						continue
					}
					k := &okrcore.KeyResult{Objective: o.ID, Title: fmt.Sprintf("Yearly goal of u%d", m), Metric: okrcore.MetricNumber, Start: 0, Target: 100, Owner: okrcore.UserOwner(m)}
					if _, err := okrcore.CreateKeyResult(tx, jan, admin, k); err != nil {
						return fmt.Errorf("key result of u%d: %w", m, err)
					}
					krs++
					for q, at := range []time.Time{jan.AddDate(0, 2, 0), jan.AddDate(0, 5, 0), jan.AddDate(0, 8, 0), jan.AddDate(0, 10, 20)} {
						v := float64(20 * (q + 1))
						if _, err := okrcore.RecordCheckIn(tx, at, admin, okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Value: &v}); err != nil {
							return fmt.Errorf("check-in on %s: %w", k.Ref(), err)
						}
						checkIns++
					}
				}
			}
			return nil
		})
		if err != nil {
			return 0, "", err
		}
	}
	return year.ID, fmt.Sprintf("wrote the year 2026: %d objectives, %d key results, %d check-ins in %s", len(teams), krs, checkIns, time.Since(start).Round(time.Millisecond)), nil
}
