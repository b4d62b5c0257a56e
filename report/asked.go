package report

import (
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// AlignmentView is the alignment tree a person asks for with `okr tree`:
// under one objective (arg "O12"), a team's ("Sales"), or, with no arg,
// the whole current cycle from the objectives aligned to nothing.
func AlignmentView(tx okrcore.Tx, ws string, now time.Time, arg string) (chat.Message, error) {
	var m chat.Message
	c, err := okrcore.CurrentCycle(tx, ws)
	if err != nil {
		return m, err
	}
	var roots []*okrcore.Objective
	title := "Alignment tree · " + c.Name
	if arg != "" {
		if ref, ok := okrcore.ParseRef(arg); ok && ref.Kind == okrcore.RefObjective {
			o, err := tx.Objective(ws, ref.ID)
			if okrcore.IsNotFound(err) {
				return m, usagef("There is no %s.", ref)
			}
			if err != nil {
				return m, err
			}
			roots, title = []*okrcore.Objective{o}, "Alignment under "+ref.String()
		} else {
			t, err := FindTeam(tx, ws, arg)
			if err != nil {
				return m, err
			}
			title = "Alignment · team " + t.Name
			if roots, err = TeamObjectives(tx, ws, t, c.ID); err != nil {
				return m, err
			}
		}
	} else {
		// The company-wide tree starts from objectives aligned to
		// nothing; everything below is found through the indexes.
		objs, err := tx.ObjectivesByCycle(ws, c.ID)
		if err != nil {
			return m, err
		}
		for _, o := range objs {
			if o.ParentKR == 0 && o.ParentObjective == 0 {
				roots = append(roots, o)
			}
		}
	}
	return TreeMessage(tx, ws, now, title, roots)
}

// HistoryView is the check-ins of a key result or KPI, newest first, as
// `okr history KR3` shows them.
func HistoryView(tx okrcore.Tx, ws string, ref okrcore.Ref) (chat.Message, error) {
	n := NewNamer(tx, ws)
	var k *okrcore.KeyResult
	target, title := okrcore.TargetKR, ""
	if ref.Kind == okrcore.RefKPI {
		target = okrcore.TargetKPI
		kpi, err := tx.KPI(ws, ref.ID)
		if err != nil {
			return chat.Message{}, err
		}
		title = kpi.Title
	} else {
		var err error
		if k, err = tx.KeyResult(ws, ref.ID); err != nil {
			return chat.Message{}, err
		}
		title = k.Title
	}
	cis, err := History(tx, ws, target, ref.ID, time.Time{}, 15)
	if err != nil {
		return chat.Message{}, err
	}
	body := "No check-ins yet."
	if len(cis) > 0 {
		body = CheckinLines(cis, k, n)
	}
	return chat.Message{Text: ref.String() + " " + title + "\n" + body, Ephemeral: true, Blocks: []chat.Block{chat.Header{Text: ref.String() + " " + title}, chat.Section{Text: body}}}, nil
}
