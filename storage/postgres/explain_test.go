package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/postgres/postgrestest"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// TestHotQueriesUseIndexes asks PostgreSQL for the plan of each query the
// bot makes most (first contact, /okr mine, a team's view, the alignment
// tree, a key result's history, the due outbox) on a generated
// organisation, and fails on a plan that reads a whole table.
func TestHotQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, postgrestest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	spec := storagetest.OrgSpec{Users: 2000, Teams: 1000, Objectives: 1500, KeyResults: 5000, CheckInsPerKR: 4}
	org, err := storagetest.GenerateOrg(ctx, db, spec)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx okrcore.Tx) error {
		for i := range 3000 {
			it := &okrcore.OutboxItem{Workspace: org.Workspace, Key: "nudge:" + string(rune('a'+i%26)) + time.Duration(i).String(),
				Kind: okrcore.OutboxDigest, Team: 1, DueAt: org.Now.Add(time.Duration(i-50) * time.Minute), CreatedAt: org.Now}
			if i%10 != 0 {
				it.State = okrcore.OutboxSent
			}
			if _, err := tx.AddOutbox(it); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	ws, me := org.Workspace, okrcore.ID(1500)
	queries := []struct {
		name string
		run  func(tx okrcore.Tx) error
	}{
		{"first contact", func(tx okrcore.Tx) error { _, err := tx.UserByPlatform(ws, org.Platform, "u1500"); return err }},
		{"mine: objectives", func(tx okrcore.Tx) error {
			_, err := tx.ObjectivesByOwner(ws, okrcore.UserOwner(me), org.Cycle)
			return err
		}},
		{"mine: key results", func(tx okrcore.Tx) error {
			_, err := tx.KeyResultsByOwner(ws, okrcore.UserOwner(me), org.Cycle)
			return err
		}},
		{"mine: teams", func(tx okrcore.Tx) error { _, err := tx.TeamsOfUser(ws, me); return err }},
		{"team: objectives", func(tx okrcore.Tx) error {
			_, err := tx.ObjectivesByOwner(ws, okrcore.TeamOwner(42), org.Cycle)
			return err
		}},
		{"team: by name", func(tx okrcore.Tx) error { _, err := tx.TeamByName(ws, org.TeamNames[41]); return err }},
		{"tree: aligned objectives", func(tx okrcore.Tx) error {
			_, err := tx.ObjectivesAlignedTo(ws, okrcore.Ref{Kind: okrcore.RefKeyResult, ID: 3})
			return err
		}},
		{"tree: key results", func(tx okrcore.Tx) error { _, err := tx.KeyResultsByObjective(ws, 7); return err }},
		{"history of a key result", func(tx okrcore.Tx) error {
			_, err := tx.CheckIns(ws, okrcore.TargetKR, 77, time.Time{}, 10)
			return err
		}},
		{"history of a person", func(tx okrcore.Tx) error {
			_, err := tx.CheckInTimesByAuthor(ws, me, org.Now.AddDate(0, -3, 0))
			return err
		}},
		{"due outbox", func(tx okrcore.Tx) error { _, err := tx.DueOutbox(org.Now, 100); return err }},
		{"open outbox", func(tx okrcore.Tx) error { _, _, err := tx.OpenOutbox(); return err }},
	}
	ptx, err := db.pool.BeginTx(ctx, readOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer ptx.Rollback(ctx)
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			var plans []string
			tx := &pgTx{ctx: ctx, tx: ptx, now: time.Now}
			tx.explain = func(sql string, args []any) {
				rows, err := ptx.Query(ctx, "EXPLAIN (FORMAT TEXT) "+sql, args...)
				if err != nil {
					t.Fatalf("explain %s: %v", sql, err)
				}
				var lines []string
				for rows.Next() {
					var line string
					if err := rows.Scan(&line); err != nil {
						t.Fatal(err)
					}
					lines = append(lines, line)
				}
				rows.Close()
				plans = append(plans, sql+"\n"+strings.Join(lines, "\n"))
			}
			if err := q.run(tx); err != nil {
				t.Fatal(err)
			}
			if len(plans) == 0 {
				t.Fatal("no query was made")
			}
			for _, p := range plans {
				if strings.Contains(p, "Seq Scan") || !strings.Contains(p, "Index") {
					t.Errorf("a plan that reads the whole table:\n%s", p)
				}
			}
		})
	}
}
