package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/okrbot/okrbot/bot/forms"
	"github.com/okrbot/okrbot/bot/quiet"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// checkin starts a guided check-in, or records one written after the
// command ("/okr checkin KR2 45%").
func (e *Engine) checkin(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 1 {
		if ref, ok := okrcore.ParseRef(args[0].Text); ok && ref.Kind == okrcore.RefKeyResult {
			return e.startDialog(ctx, req, []okrcore.ID{ref.ID})
		}
	}
	if len(args) > 0 {
		return e.plainCheckIn(ctx, req, reply.JoinTokens(args))
	}
	return e.startDialog(ctx, req, nil)
}

// plainCheckIn records a check-in written in plain words. It asks instead
// (writing nothing) when the words name no key result unambiguously or a
// value looks like a slip (ask.go).
func (e *Engine) plainCheckIn(ctx context.Context, req *request, text string) (chat.Message, error) {
	rep, err := reply.ParseReplyWith(text, e.numbers(ctx, req))
	if err != nil {
		var pe *reply.ParseError
		// A parse error quotes what the person wrote and their key
		// results' titles: only those go in as a person's text, so that
		// the rest is the bot's and takes the workspace's words.
		if errors.As(err, &pe) {
			return chat.Message{}, usage("%s", pe.MessageWith(chat.User))
		}
		return chat.Message{}, err
	}
	switch {
	case rep.Undo:
		return e.undo(ctx, req, nil)
	case rep.Skip:
		return e.skip(ctx, req, nil)
	}
	results, err := e.writePlan(ctx, req, func(tx okrcore.Tx) (*forms.Plan, error) { return e.planCheckIns(tx, req, rep, text) })
	if err != nil {
		return asked(err)
	}
	return e.confirm(ctx, req, results)
}

// writePlan works out what a message or a form asks for in a read
// transaction, beside everyone else's (prepare), then joins the group
// being committed (commit.go); the write only re-reads the key results the
// plan was resolved against (two check-ins on one key result at once: the
// second is resolved again after the first) and records the check-ins and
// what else the plan writes with them.
func (e *Engine) writePlan(ctx context.Context, req *request, prepare func(tx okrcore.Tx) (*forms.Plan, error)) ([]*okrcore.CheckInResult, error) {
	plan, err := okrcore.View(ctx, e.store, prepare)
	if err != nil {
		return nil, err
	}
	var results []*okrcore.CheckInResult
	err = e.writeCheckIns(ctx, func(tx okrcore.Tx, c *okrcore.CheckIns) error {
		p := plan
		if stale, err := p.Stale(tx, req.ws); err != nil {
			return err
		} else if stale {
			if p, err = prepare(tx); err != nil {
				return err
			}
		}
		results, err = p.Record(tx, c, req.now, req.actor)
		return err
	})
	return results, err
}

// planCheckIns resolves a check-in in plain words to the check-ins to
// record, writing nothing: the person's key results named or meant, the
// values, and the period a stated status holds for.
func (e *Engine) planCheckIns(tx okrcore.Tx, req *request, rep reply.Reply, text string) (*forms.Plan, error) {
	var krs []*okrcore.KeyResult
	if !forms.NamesEach(rep) {
		// Words may mean any of the person's key results; when each update
		// names its key result ("KR12 45"), the ones named are all it needs.
		_, all, err := report.CheckinTargets(tx, req.ws, req.actor.ID)
		if err != nil {
			return nil, err
		}
		krs = all
	}
	var kpiUpdates, krUpdates []reply.KRUpdate
	for _, u := range rep.Updates {
		ref, ok := okrcore.ParseRef(u.Ref)
		switch {
		case ok && ref.Kind == okrcore.RefKPI:
			kpiUpdates = append(kpiUpdates, u)
			continue
		case ok && ref.Kind == okrcore.RefKeyResult && !forms.HasKR(krs, ref.ID):
			// Someone else's key result that the person may still be
			// allowed to update (a lead, a team member, an admin).
			k, err := tx.KeyResult(req.ws, ref.ID)
			if okrcore.IsNotFound(err) {
				return nil, usage("There is no %s. `/okr mine` shows your key results.", ref)
			}
			if err != nil {
				return nil, err
			}
			krs = append(krs, k)
		case ok && ref.Kind != okrcore.RefKeyResult:
			return nil, usage("%s is not a key result; check in with a key result id such as KR3.", ref)
		}
		krUpdates = append(krUpdates, u)
	}
	if len(krs) == 0 && len(kpiUpdates) == 0 {
		return nil, usage("You have no key results to check in on in this cycle. `/okr new objective` starts one.")
	}
	if rep.NoChange || (len(krUpdates) == 0 && len(kpiUpdates) == 0) {
		// "same as last week", "confidence 7", "blocked: …" with no key
		// result named: a check-in on each of the person's key results
		// ("same as last week, except KR3 at risk" names one of them).
		named := map[string]bool{}
		for _, u := range krUpdates {
			if r, ok := okrcore.ParseRef(u.Ref); ok {
				named[r.String()] = true
			}
		}
		for _, k := range krs {
			if !named[k.Ref().String()] {
				krUpdates = append(krUpdates, reply.KRUpdate{Ref: k.Ref().String(), Same: true, Raw: text})
			}
		}
	}
	resolved, err := reply.Resolve(krUpdates, krs)
	if err != nil {
		return nil, which(err, rep, text)
	}
	if err := sure(rep, resolved, text); err != nil {
		return nil, err
	}
	p := &forms.Plan{}
	p.Refuse = func(_ okrcore.Tx, i int, err error) error {
		if p.Inputs[i].Target == okrcore.TargetKPI && okrcore.IsNotFound(err) {
			return usage("There is no %s.", p.Refs[i])
		}
		return err
	}
	if len(resolved) > 0 {
		until, err := e.until(tx, req)
		if err != nil {
			return nil, err
		}
		for _, r := range resolved {
			in := forms.CheckInInput(r, rep)
			in.Until = until
			p.Add(in, r.KR.Ref(), r.KR)
		}
	}
	for _, u := range kpiUpdates {
		ref, _ := okrcore.ParseRef(u.Ref)
		if u.Value == nil {
			return nil, usage("What is %s now? Try `%s 99.9`.", ref, ref)
		}
		v := u.Value.Value
		in := okrcore.CheckInInput{Target: okrcore.TargetKPI, TargetID: ref.ID, Value: &v, Note: rep.Note, Blockers: rep.Blockers}
		p.Add(in, ref, nil)
	}
	return p, nil
}

// confirm builds the confirmation of recorded check-ins.
func (e *Engine) confirm(ctx context.Context, req *request, results []*okrcore.CheckInResult) (chat.Message, error) {
	if e.observer != nil && len(results) > 0 {
		e.observer.CheckInsRecorded(req.ev.Platform, len(results))
	}
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		return forms.Confirmation(report.NewReading(tx, req.ws, req.now), results), nil
	})
}

// until is the end of the asker's check-in period (their team's rhythm or
// the workspace's) in their time zone: how long a status they state holds.
func (e *Engine) until(tx okrcore.Tx, req *request) (time.Time, error) {
	w, err := tx.Workspace(req.ws)
	if err != nil {
		return time.Time{}, err
	}
	return okrcore.PeriodEnd(report.EffectiveSchedule(tx, w, req.actor.ID).CheckIn, req.now, e.locs.Get(req.actor.TimeZone)), nil
}

// undo takes back the actor's last check-in (all key results it covered),
// everything it changed: okrcore.UndoLastCheckIn says how.
func (e *Engine) undo(ctx context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	return okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		res, err := okrcore.UndoLastCheckIn(tx, req.now, req.actor)
		if err != nil {
			return chat.Message{}, err
		}
		n := report.NewReading(tx, req.ws, req.now)
		var lines []string
		for _, k := range res.KeyResults {
			lines = append(lines, fmt.Sprintf("%s %s is back to %s, %s.", k.Ref(), chat.User(k.Title), chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit)), n.KR(k).Status.Label()))
		}
		for _, k := range res.KPIs {
			lines = append(lines, fmt.Sprintf("%s %s is back to %s.", k.Ref(), chat.User(k.Title), chat.User(okrcore.FormatValue(k.Current, okrcore.MetricNumber, k.Unit))))
		}
		m := chat.Text("Undone. " + strings.Join(lines, " "))
		m.HomeChanged = true
		return m, nil
	})
}

// skip records that the person skips this period's check-in.
func (e *Engine) skip(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) > 0 {
		return e.quietCmd(quiet.Skip)(ctx, req, args)
	}
	var cadence okrcore.Cadence
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		w, err := tx.Workspace(req.ws)
		if err != nil {
			return err
		}
		cadence = report.EffectiveSchedule(tx, w, req.actor.ID).CheckIn.Cadence
		period := okrcore.PeriodKey(cadence, req.now, chat.Location(req.actor.TimeZone))
		return tx.PutState(req.ws, report.SkipKey(req.actor.ID, period), []byte("1"), req.now.Add(skipKeep))
	})
	if err != nil {
		return chat.Message{}, err
	}
	_ = e.store.Update(ctx, func(tx okrcore.Tx) error { return tx.DeleteState(req.ws, dialogKey(req.actor.ID)) })
	again := "next " + report.PeriodWord(cadence)
	if cadence == okrcore.Biweekly {
		again = "in two weeks"
	}
	return chat.Text(fmt.Sprintf("OK, skipping this %s. I'll ask again %s.", report.PeriodWord(cadence), again)), nil
}

// dialog is a guided check-in in progress, stored so that it survives a
// restart.
type dialog struct {
	KRs   []okrcore.ID `json:"krs"`
	Index int          `json:"index"`
	Done  int          `json:"done"`
}

// checkinDialogs stores guided check-ins.
var checkinDialogs = dialogState[dialog]{key: dialogKey, what: "check-in dialog"}

func (e *Engine) loadDialog(ctx context.Context, req *request) (*dialog, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (*dialog, error) {
		var d *dialog
		var err error
		d, err = checkinDialogs.load(tx, req.ws, req.actor.ID)
		return d, err
	})
}

// saveDialog keeps a dialog with questions left, and ends a finished one.
func (e *Engine) saveDialog(tx okrcore.Tx, req *request, d *dialog) error {
	if d == nil || d.Index >= len(d.KRs) {
		return checkinDialogs.end(tx, req)
	}
	return checkinDialogs.save(tx, req, d, e.dialogTTL)
}

func (e *Engine) startDialog(ctx context.Context, req *request, only []okrcore.ID) (chat.Message, error) {
	return okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		d := &dialog{KRs: only}
		if len(only) == 0 {
			_, krs, err := report.CheckinTargets(tx, req.ws, req.actor.ID)
			if err != nil {
				return m, err
			}
			for _, k := range krs {
				d.KRs = append(d.KRs, k.ID)
			}
			if len(d.KRs) == 0 {
				return m, usage("You have no key results to check in on in this cycle. `/okr mine` shows your OKRs.")
			}
		} else if _, err := tx.KeyResult(req.ws, only[0]); okrcore.IsNotFound(err) {
			return m, usage("There is no KR%d.", only[0])
		}
		if err := e.saveDialog(tx, req, d); err != nil {
			return m, err
		}
		var err error
		m, err = dialogPrompt(tx, req, d)
		return m, err
	})
}

func dialogPrompt(tx okrcore.Tx, req *request, d *dialog) (chat.Message, error) {
	k, err := tx.KeyResult(req.ws, d.KRs[d.Index])
	if err != nil {
		return chat.Message{}, err
	}
	n := report.NewReading(tx, req.ws, req.now)
	at := report.KRDetail(k)
	if k.Metric == okrcore.MetricMilestone {
		at = chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit))
	}
	q := fmt.Sprintf("(%d/%d) %s *%s* is at %s. What is it now?", d.Index+1, len(d.KRs), k.Ref(), chat.User(k.Title), at)
	hint := "Write a value like `45%` or `1.2M`, `done`, or `same`; add `confidence 7`, `at risk` or `note: …` if you like. `skip` moves on, `stop` ends."
	if k.Metric == okrcore.MetricMilestone {
		hint = "Write `done` or `not done`; add `confidence 7` or `note: …` if you like. `skip` moves on, `stop` ends."
	}
	return chat.Message{
		Text: q + "\n" + hint,
		Blocks: []chat.Block{report.KRBar(k, n, 0), chat.Section{Text: q}, chat.Context{Text: hint}, chat.Actions{Buttons: []chat.Button{
			{Label: "Same as last week", Value: "same"}, {Label: "Skip", Value: "skip"}, {Label: "Stop", Value: "stop"},
		}}},
	}, nil
}

func (e *Engine) dialogStep(ctx context.Context, req *request, d *dialog, text string) (chat.Message, error) {
	if isStop(text) {
		err := e.store.Update(ctx, func(tx okrcore.Tx) error { return e.saveDialog(tx, req, nil) })
		if err != nil {
			return chat.Message{}, err
		}
		return chat.Text(fmt.Sprintf("Stopped. You checked in on %d of %s.", d.Done, report.Count(len(d.KRs), "key result"))), nil
	}
	var dd dialog // where the answer leaves the dialog
	numbers := e.numbers(ctx, req)
	results, err := e.writePlan(ctx, req, func(tx okrcore.Tx) (*forms.Plan, error) {
		dd = *d
		p := &forms.Plan{}
		if d.Index >= len(d.KRs) {
			p.Also = func(tx okrcore.Tx) error { return e.saveDialog(tx, req, nil) }
			return p, nil
		}
		if !isSkip(text) {
			if err := e.planAnswer(tx, req, d, text, numbers, p); err != nil {
				return nil, err // the dialog stays on this key result
			}
			dd.Done++
		}
		dd.Index++
		p.Also = func(tx okrcore.Tx) error { return e.saveDialog(tx, req, &dd) }
		return p, nil
	})
	if err != nil {
		return asked(err)
	}
	if d.Index >= len(d.KRs) {
		return chat.Message{}, nil
	}
	next := chat.Text(fmt.Sprintf("That's all, thank you! You checked in on %d of %s. `/okr mine` shows where you stand.", dd.Done, report.Count(len(dd.KRs), "key result")))
	if dd.Index < len(dd.KRs) {
		next, err = okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) { return dialogPrompt(tx, req, &dd) })
		if err != nil {
			return chat.Message{}, err
		}
	}
	if len(results) == 0 {
		return next, nil
	}
	m, err := e.confirm(ctx, req, results)
	if err != nil {
		return chat.Message{}, err
	}
	// The confirmation's buttons would interrupt the dialog; keep the
	// summary and the next question.
	m.Blocks = m.Blocks[:len(m.Blocks)-1]
	m.Blocks = append(m.Blocks, chat.Divider{})
	m.Blocks = append(m.Blocks, next.Blocks...)
	m.Text += "\n\n" + next.Text
	return m, nil
}

// planAnswer reads an answer in a guided check-in as the check-ins of the
// key result being asked about, into p.
func (e *Engine) planAnswer(tx okrcore.Tx, req *request, d *dialog, text string, numbers reply.Options, p *forms.Plan) error {
	k, err := tx.KeyResult(req.ws, d.KRs[d.Index])
	if err != nil {
		return err
	}
	rep, err := reply.ParseReplyWith(text, numbers)
	if err != nil {
		// A bare answer ("lots", "same") is about the key result
		// being asked; read it that way for a precise message.
		if r2, err2 := reply.ParseReplyWith(k.Ref().String()+" "+text, numbers); err2 == nil {
			rep, err = r2, nil
		} else {
			err = err2
		}
	}
	if err != nil {
		var pe *reply.ParseError
		if errors.As(err, &pe) {
			return usage("%s (We're on %s now; `skip` moves on, `stop` ends.)", pe.MessageWith(chat.User), k.Ref())
		}
		return err
	}
	ups := rep.Updates
	if len(ups) == 0 {
		ups = []reply.KRUpdate{{Same: true, Raw: text}}
	}
	for i := range ups {
		if ups[i].Ref == "" {
			ups[i].Ref = k.Ref().String()
		}
	}
	resolved, err := reply.Resolve(ups, []*okrcore.KeyResult{k})
	if err != nil {
		var pe *reply.ParseError
		if errors.As(err, &pe) {
			return usage("%s (We're on %s now; `skip` moves on.)", pe.MessageWith(chat.User), k.Ref())
		}
		return err
	}
	if err := sure(rep, resolved, text); err != nil {
		return err
	}
	until, err := e.until(tx, req)
	if err != nil {
		return err
	}
	for _, r := range resolved {
		in := forms.CheckInInput(r, rep)
		in.Until = until
		p.Add(in, k.Ref(), k)
	}
	return nil
}

// checkinFormCmd answers with one form holding every key result.
func (e *Engine) checkinFormCmd(ctx context.Context, req *request, _ []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		c, krs, err := report.CheckinTargets(tx, req.ws, req.actor.ID)
		if err != nil {
			return chat.Message{}, err
		}
		if len(krs) == 0 {
			return chat.Message{}, usage("You have no key results to check in on in this cycle.")
		}
		return chat.Message{Text: "Check in on your key results", Form: report.CheckinForm(report.NewReading(tx, req.ws, req.now), c, krs)}, nil
	})
}

// formSubmit records a submitted check-in form. Every field is checked
// before anything is stored: a refused answer saves nothing and sends the
// form back with the answers kept and the refused ones marked (forms.go).
func (e *Engine) formSubmit(ctx context.Context, req *request) (chat.Message, error) {
	if req.ev.FormID != "checkin" {
		return chat.Message{}, usage("That form has expired. Start again with `/okr form`.")
	}
	refs := forms.Refs(req.ev.FormState)
	if len(refs) == 0 {
		return chat.Message{}, usage("That form has no key results in it. Start again with `/okr form`.")
	}
	// Read and checked beside everyone else's, written with the group
	// being committed; a value a key result's rule refuses (a milestone is
	// done or not, a percentage in range) sends the form back, nothing saved.
	results, err := e.writePlan(ctx, req, func(tx okrcore.Tx) (*forms.Plan, error) {
		krs, inputs, fe, err := forms.ReadCheckIn(tx, req.ws, req.ev.Values, refs)
		if err != nil {
			return nil, err
		}
		back := func(tx okrcore.Tx, fe forms.Errors) error {
			c, err := tx.Cycle(req.ws, krs[0].Cycle)
			if err != nil {
				return err
			}
			return &forms.BackErr{M: forms.Back(report.CheckinForm(report.NewReading(tx, req.ws, req.now), c, krs), req.ev.Values, fe)}
		}
		if !fe.Empty() {
			return nil, back(tx, fe)
		}
		until, err := e.until(tx, req)
		if err != nil {
			return nil, err
		}
		// Recorded in id order, as the confirmation lists them.
		p, sorted := &forms.Plan{}, slices.Clone(krs)
		slices.SortFunc(sorted, func(a, b *okrcore.KeyResult) int { return cmp.Compare(a.ID, b.ID) })
		for _, k := range sorted {
			in := inputs[slices.Index(krs, k)]
			in.Until = until
			p.Add(in, k.Ref(), k)
		}
		p.Refuse = func(tx okrcore.Tx, i int, err error) error {
			if okrcore.ErrorKindOf(err) != okrcore.KindInvalid {
				return err
			}
			var refused forms.Errors
			refused.Add(p.Refs[i].String()+".value", fmt.Sprintf("%s: %s", p.Refs[i], okrcore.ErrorMessageWith(err, chat.User)))
			return back(tx, refused)
		}
		return p, nil
	})
	var back *forms.BackErr
	if errors.As(err, &back) {
		return back.M, nil
	}
	if err != nil {
		return chat.Message{}, err
	}
	return e.confirm(ctx, req, results)
}
