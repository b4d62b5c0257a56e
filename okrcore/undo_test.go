package okrcore_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func TestUndoLastCheckIn(t *testing.T) {
	f := newFixture(t)
	top := f.objective(t, "Grow", okrcore.UserOwner(f.ada.ID), 0, 0)
	topKR := f.keyResult(t, top.ID, okrcore.UserOwner(f.ada.ID), 0)
	o := f.objective(t, "Win", okrcore.UserOwner(f.alice.ID), topKR.ID, 0)
	a := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)
	b := f.keyResult(t, o.ID, okrcore.UserOwner(f.alice.ID), 0)
	record := func(at time.Time, who *okrcore.User, in okrcore.CheckInInput, ids ...okrcore.ID) {
		t.Helper()
		update(t, f.db, func(tx okrcore.Tx) error {
			for _, id := range ids {
				in.Target, in.TargetID = okrcore.TargetKR, id
				if _, err := okrcore.RecordCheckIn(tx, at, who, in); err != nil {
					return err
				}
			}
			return nil
		})
	}
	undo := func(at time.Time, who *okrcore.User) (*okrcore.UndoResult, error) {
		var res *okrcore.UndoResult
		err := attempt(t, f.db, func(tx okrcore.Tx) (err error) { res, err = okrcore.UndoLastCheckIn(tx, at, who); return err })
		return res, err
	}
	// Monday's check-in, whose statement (at risk) holds through the undo.
	record(t0, f.alice, okrcore.CheckInInput{Value: ptr(10.0), Confidence: ptr(5), Note: "slow start"}, a.ID, b.ID)
	krs := func() []*okrcore.KeyResult {
		return []*okrcore.KeyResult{f.getKR(t, "A", a.ID), f.getKR(t, "A", b.ID)}
	}
	objs := func() []*okrcore.Objective {
		return []*okrcore.Objective{f.getObjective(t, "A", o.ID), f.getObjective(t, "A", top.ID)}
	}
	krsBefore, objsBefore := krs(), objs()

	record(t1, f.alice, okrcore.CheckInInput{Value: ptr(60.0), Confidence: ptr(9), Status: okrcore.StatusOffTrack, Note: "big week", Blockers: "legal"}, a.ID, b.ID)
	res, err := undo(t1.Add(time.Hour), f.alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KeyResults) != 2 || len(res.KPIs) != 0 {
		t.Errorf("undo restored %d key results and %d KPIs, want 2 and 0", len(res.KeyResults), len(res.KPIs))
	}
	for i, k := range krs() {
		w := krsBefore[i]
		k.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(k, w) {
			t.Errorf("KR%d after the undo:\n got %+v\nwant %+v", k.ID, k, w)
		}
	}
	for i, x := range objs() {
		if w := objsBefore[i]; x.Progress != w.Progress || x.Status != w.Status {
			t.Errorf("O%d after the undo: %v %s, want %v %s", x.ID, x.Progress, x.Status, w.Progress, w.Status)
		}
	}
	all := f.checkIns(t, "A", okrcore.TargetKR, a.ID)
	if len(all) != 3 || all[0].UndoOf != all[1].ID || all[0].Value != 10 || all[0].Previous != 60 {
		t.Errorf("history of KR%d: %+v, want the undo naming the check-in it takes back", a.ID, all)
	}
	var hist []*okrcore.CheckIn
	var checked, checkedBefore bool
	view(t, f.db, func(tx okrcore.Tx) (err error) {
		cis, err := tx.CheckIns("A", okrcore.TargetKR, a.ID, time.Time{}, 0)
		if err != nil {
			return err
		}
		hist = okrcore.Effective(cis)
		if cis, err = tx.CheckInsByAuthor("A", f.alice.ID, t1.Add(-time.Hour), 0); err != nil {
			return err
		}
		checked = len(okrcore.Effective(cis)) > 0
		if cis, err = tx.CheckInsByAuthor("A", f.alice.ID, time.Time{}, 0); err != nil {
			return err
		}
		checkedBefore = len(okrcore.Effective(cis)) > 0
		return nil
	})
	if len(hist) != 1 || hist[0].Note != "slow start" {
		t.Errorf("history counts %+v, want Monday's check-in only", hist)
	}
	if checked || !checkedBefore {
		t.Errorf("checked in since the undone check-in: %v, ever: %v; want false and true", checked, checkedBefore)
	}
	if !res.At.Equal(t1) {
		t.Errorf("the undone check-in was written at %v, want %v", res.At, t1)
	}

	_, err = undo(t1.Add(2*time.Hour), f.alice)
	wantErr(t, err, okrcore.KindConflict, "already undone")

	// Someone else's later check-in is not lost to an undo.
	record(t1.Add(3*time.Hour), f.alice, okrcore.CheckInInput{Value: ptr(20.0)}, a.ID)
	record(t1.Add(4*time.Hour), f.lee, okrcore.CheckInInput{Value: ptr(25.0)}, a.ID) // Lee leads Growth
	_, err = undo(t1.Add(5*time.Hour), f.alice)
	wantErr(t, err, okrcore.KindConflict, "newer check-in")
	if k := f.getKR(t, "A", a.ID); k.Current != 25 {
		t.Errorf("KR%d = %v after a refused undo, want 25", a.ID, k.Current)
	}
	_, err = undo(t1.Add(48*time.Hour), f.lee)
	wantErr(t, err, okrcore.KindNotFound, "no check-in of yours from the last day")
}
