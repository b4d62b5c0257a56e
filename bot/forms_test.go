package bot_test

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// input finds a form's input by id.
func input(t *testing.T, f *chat.Form, id string) chat.Input {
	t.Helper()
	for _, in := range f.Inputs {
		if in.ID == id {
			return in
		}
	}
	t.Fatalf("the form %s has no input %s", f.ID, id)
	return chat.Input{}
}

// TestCheckInFormSentBackWithAnswersKept: one bad value in the check-in
// form saves nothing, and the form comes back with every answer as typed
// and the bad field marked with its reason; fixing only that field saves
// all of them.
func TestCheckInFormSentBackWithAnswersKept(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	form := k.Press("alice", "form").Form
	if form == nil || form.ID != "checkin" {
		t.Fatalf("no check-in form: %+v", form)
	}
	submit := k.Event("alice", chat.EventFormSubmit)
	submit.FormID, submit.FormState = form.ID, form.State
	submit.Values = map[string]string{"KR4.value": "lots", "KR4.note": "two deals closed", "KR7.value": "4",
		"KR7.status": "at_risk", "confidence": "7", "blockers": "legal review"}
	before := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, 7) })

	back := k.Process(submit)
	f := back.Form
	if f == nil || f.ID != "checkin" || f.State != form.State || !f.Invalid() {
		t.Fatalf("a bad value did not send the form back: %q %+v", back.Text, f)
	}
	if text := chat.Unmarked(back.Text); !strings.Contains(text, "Nothing was saved") || !strings.Contains(text, `"lots"`) {
		t.Errorf("the answer says %q", back.Text)
	}
	bad := input(t, f, "KR4.value")
	if bad.Initial != "lots" || !strings.Contains(chat.Unmarked(bad.Error), `I couldn't read "lots" as a number`) {
		t.Errorf("the bad field: %+v", bad)
	}
	for id, want := range map[string]string{"KR4.note": "two deals closed", "KR7.value": "4", "KR7.status": "at_risk", "confidence": "7", "blockers": "legal review"} {
		if in := input(t, f, id); in.Initial != want || in.Error != "" {
			t.Errorf("%s came back as %q (error %q), want %q kept", id, in.Initial, in.Error, want)
		}
	}
	if errs := f.Errors(); len(errs) != 1 {
		t.Errorf("errors %v, want KR4.value's only", errs)
	}
	after := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, 7) })
	if after.Current != before.Current || after.Status != before.Status || !after.LastCheckIn.Equal(before.LastCheckIn) {
		t.Fatalf("a refused form saved KR7: %v %v → %v %v", before.Current, before.Status, after.Current, after.Status)
	}

	// The person fixes that one field; the kept answers go with it.
	vals := map[string]string{}
	for _, in := range f.Inputs {
		vals[in.ID] = in.Initial
	}
	vals["KR4.value"] = "25"
	submit.Values = vals
	got := bottest.Text(k.Process(submit))
	if !strings.Contains(got, "Checked in") {
		t.Fatalf("the fixed form: %s", got)
	}
	kr4 := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, 4) })
	kr7 := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, 7) })
	if kr4.Current != 25 || kr7.Current != 4 || kr7.Status != okrcore.StatusAtRisk || kr4.Confidence == nil || *kr4.Confidence != 7 {
		t.Errorf("after the fix: KR4 %v, KR7 %v %v", kr4.Current, kr7.Current, kr7.Status)
	}
}

// TestCheckInFormRuleOfTheKeyResult: a value the key result refuses (a
// milestone given a number) is marked on its field too, and nothing of
// the form is kept.
func TestCheckInFormRuleOfTheKeyResult(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	form := k.Press("alice", "form").Form
	submit := k.Event("alice", chat.EventFormSubmit)
	submit.FormID, submit.FormState = form.ID, form.State
	submit.Values = map[string]string{"KR4.value": "30", "KR6.value": "0.5"}
	back := k.Process(submit)
	if back.Form == nil || input(t, back.Form, "KR6.value").Error == "" || input(t, back.Form, "KR4.value").Initial != "30" {
		t.Fatalf("a milestone given 0.5: %q %+v", back.Text, back.Form)
	}
	kr4 := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, 4) })
	if kr4.Current == 30 {
		t.Errorf("KR4 was saved from a refused form")
	}
}

// TestGradesFormSentBackWithAnswersKept: the grading form keeps the good
// grades and marks the bad one, saving nothing until all are valid.
func TestGradesFormSentBackWithAnswersKept(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	form := k.Press("alice", "grades").Form
	if form == nil || form.ID != "grades" {
		t.Fatalf("no grading form: %+v", form)
	}
	submit := k.Event("alice", chat.EventFormSubmit)
	submit.FormID, submit.FormState = form.ID, form.State
	submit.Values = map[string]string{"KR4.grade": "0.55", "KR6.grade": "1", "KR7.grade": "1.5"}
	back := k.Process(submit)
	f := back.Form
	if f == nil || f.ID != "grades" || !f.Invalid() {
		t.Fatalf("a bad grade did not send the form back: %q %+v", back.Text, f)
	}
	if in := input(t, f, "KR7.grade"); in.Initial != "1.5" || !strings.Contains(in.Error, "outside 0.0–1.0") {
		t.Errorf("the bad grade: %+v", in)
	}
	if in := input(t, f, "KR4.grade"); in.Initial != "0.55" || in.Error != "" {
		t.Errorf("a good grade came back as %+v", in)
	}
	for _, id := range []okrcore.ID{4, 6, 7} {
		kr := bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) { return tx.KeyResult(k.Workspace, id) })
		if kr.Score != nil {
			t.Fatalf("a refused form graded KR%d", id)
		}
	}
}
