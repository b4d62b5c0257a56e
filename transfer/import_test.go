package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func smallProgramme() *Programme {
	at := func(d int) time.Time { return time.Date(2026, 10, d, 9, 0, 0, 0, time.UTC) }
	return &Programme{
		Source: "csv",
		People: []Person{{Key: "p1", Name: "Ann Lee", Email: "ann@example.com", Record: "row 2"}, {Key: "p2", Name: "Bo Chen", Email: "bo@example.com", Record: "row 3"}},
		Teams:  []Team{{Key: "t1", Name: "Sales", Lead: "p1", Members: []Key{"p2"}, Record: "row 4"}},
		Cycles: []Cycle{{Key: "c1", Name: "Q4 2026", Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Record: "row 5"}},
		Items: []Item{
			{Key: "o1", Kind: ItemObjective, Title: "Win the north", Owner: Owner{Team: "t1"}, Cycle: "c1", Created: at(2), Record: "row 6"},
			{Key: "k1", Kind: ItemKeyResult, Title: "Close deals", Owner: Owner{Person: "p2"}, Cycle: "c1", Parent: "o1", Metric: okrcore.MetricNumber, Target: 10, Unit: "deals", Created: at(2), Record: "row 7"},
			{Key: "i1", Kind: ItemInitiative, Title: "Call the list", Owner: Owner{Person: "p2"}, Parent: "k1", Created: at(3), Record: "row 8"},
		},
		CheckIns: []CheckIn{
			{Key: "x1", Item: "k1", Author: "p2", At: at(9), Value: 2, HasValue: true, Note: "first <b>two</b>", Record: "check-in 1"},
			{Key: "x2", Item: "k1", Author: "p2", At: at(16), Value: 5, HasValue: true, Status: okrcore.StatusAtRisk, Record: "check-in 2"},
		},
	}
}

// TestImportProgramme: a programme lands through the same writer, again
// adds nothing, and an import of it that stopped half way rolls back to
// nothing, new workspace included.
func TestImportProgramme(t *testing.T) {
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	opts := Options{Workspace: "north", Platform: "slack", Now: now, Batch: 2}
	s := openStore(t)
	p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planProgramme(tx, smallProgramme(), opts) })
	if err != nil {
		t.Fatal(err)
	}
	if err := p.writeStopping(ctx, s, opts, 3); !errors.Is(err, errStopped) {
		t.Fatalf("stopped write: %v", err)
	}
	if n, err := Recover(ctx, s); n != 1 || err != nil {
		t.Fatalf("recover: %d, %v", n, err)
	}
	assertEmpty(t, s, "north")

	sum, err := Import(ctx, s, smallProgramme(), opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	for k, want := range map[Kind]int{KindPerson: 2, KindTeam: 1, KindCycle: 1, KindObjective: 1, KindKeyResult: 1, KindInitiative: 1, KindCheckIn: 2} {
		if c := sum.Counts[k]; c.Created != want {
			t.Errorf("%s: %+v, want %d created", k, c, want)
		}
	}
	a := export(t, s, "north", "")
	for _, want := range []string{`"current":5`, `"name":"Sales"`, `"platform":"slack"`, "first <b>two</b>"} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("export lacks %s:\n%s", want, a)
		}
	}
	again, err := Import(ctx, s, smallProgramme(), opts)
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	var b strings.Builder
	if err := again.Write(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), " 1 created") || strings.Contains(b.String(), " 1 updated") || strings.Count(b.String(), "0 created, 0 updated") != 7 {
		t.Errorf("second import:\n%s", b.String())
	}
	if got := export(t, s, "north", ""); !bytes.Equal(got, a) {
		t.Errorf("export after the second import: %s", diff(a, got))
	}
}

// streamedProgramme is smallProgramme with more check-ins, read by its
// History as a large export's are.
func streamedProgramme() *Programme {
	p := smallProgramme()
	cs := p.CheckIns
	p.CheckIns = nil
	for d := 17; d <= 30; d++ {
		cs = append(cs, CheckIn{Key: Key(fmt.Sprint("y", d)), Item: "k1", Author: "p1", At: time.Date(2026, 10, d, 9, 0, 0, 0, time.UTC),
			Value: float64(d - 12), HasValue: d%3 != 0, Record: fmt.Sprint("check-in ", d)})
	}
	p.History = func(yield func(*CheckIn) bool) error {
		for i := range cs {
			if !yield(&cs[i]) {
				return nil
			}
		}
		return nil
	}
	p.HistoryLen = len(cs)
	return p
}

// TestImportProgrammeStoppedInItsHistory: an import stopped after any of
// its transactions, those writing a History's check-ins included, is
// rolled back to nothing by Recover; the whole write lands every check-in
// once, and the same import again adds none.
func TestImportProgrammeStoppedInItsHistory(t *testing.T) {
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
	opts := Options{Workspace: "north", Platform: "slack", Now: now, Batch: 3}
	for k := 1; ; k++ {
		s := openStore(t)
		p, err := okrcore.View(ctx, s, func(tx okrcore.Tx) (*plan, error) { return planProgramme(tx, streamedProgramme(), opts) })
		if err != nil {
			t.Fatal(err)
		}
		if p.size() < 16 {
			t.Fatalf("%d writes planned, want the 16 check-ins among them", p.size())
		}
		err = p.writeStopping(ctx, s, opts, k)
		if err == nil {
			if k < 6 {
				t.Fatalf("the whole import took %d transactions of 3 records", k-1)
			}
			if n := bytes.Count(export(t, s, "north", ""), []byte(`"previous":`)); n != 16 {
				t.Errorf("%d check-ins written, want 16", n)
			}
			sum, err := Import(ctx, s, streamedProgramme(), opts)
			if err != nil || sum.Counts[KindCheckIn] != (Count{Unchanged: 16}) {
				t.Errorf("again: %+v, %v; want 16 check-ins unchanged", sum, err)
			}
			return
		}
		if !errors.Is(err, errStopped) {
			t.Fatalf("stopped after %d: %v", k, err)
		}
		if n, err := Recover(ctx, s); n != 1 || err != nil {
			t.Fatalf("recover after %d transactions: %d, %v", k, n, err)
		}
		assertEmpty(t, s, "north")
	}
}

// TestImportStoppedWhileItRests: an import stopped in a pause between its
// transactions rolls back what it wrote, and leaves no journal.
func TestImportStoppedWhileItRests(t *testing.T) {
	s := openStore(t)
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := Options{Workspace: "north", Platform: "slack", Now: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC), Batch: 3, Rest: time.Hour,
		Progress: func(pr Progress) {
			if pr.Phase == "write" {
				cancel()
			}
		}}
	if _, err := Import(stop, s, streamedProgramme(), opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("import stopped in its rest: %v", err)
	}
	assertEmpty(t, s, "north")
	if n, err := Recover(ctx, s); n != 0 || err != nil {
		t.Errorf("recover: %d, %v; want nothing left to roll back", n, err)
	}
}
