package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/bot/forms"
	"github.com/okrbot/okrbot/bot/retro"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
	"github.com/okrbot/okrbot/report/retroanswers"
)

// The end of a cycle: owners grade their key results (a prompt with the
// suggested grades, buttons and a form), then everyone answers a short
// retrospective in chat (four statements rated 1–5 and Start / Stop /
// Continue), and each team gets the anonymous aggregate.
//
// Its state keys are in state.go.
//
// A team's aggregate is computed from the store by reading the answers of
// each of its members, so it survives restarts and needs no other index.

// retroDialogs stores retrospectives in progress.
var retroDialogs = dialogState[retro.Dialog]{key: retroDialogKey, what: "retrospective",
	usable: func(d *retro.Dialog) bool {
		d.Answers.Normalize()
		return d.Step >= 0 && d.Step < retro.Steps
	}}

// ---------------------------------------------------------------------
// Grading

// gradesCmd answers with a form to grade key results: the ones named, or
// every key result the person grades in the current cycle.
func (e *Engine) gradesCmd(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var krs []*okrcore.KeyResult
		var c *okrcore.Cycle
		for _, a := range args {
			ref, ok := okrcore.ParseRef(a.Text)
			if !ok || ref.Kind != okrcore.RefKeyResult {
				return chat.Message{}, usage("Grades go on key results: `/okr grades KR3 KR4`, or `/okr grades` for all of yours.")
			}
			k, err := tx.KeyResult(req.ws, ref.ID)
			if okrcore.IsNotFound(err) {
				return chat.Message{}, usage("There is no %s. `/okr mine` shows your key results.", ref)
			}
			if err != nil {
				return chat.Message{}, err
			}
			if err := okrcore.CanChange(tx, req.actor, k.Owner); err != nil {
				return chat.Message{}, err
			}
			if !forms.HasKR(krs, k.ID) {
				krs = append(krs, k)
			}
		}
		var err error
		if len(krs) > 0 {
			c, err = tx.Cycle(req.ws, krs[0].Cycle)
		} else {
			c, err = okrcore.CurrentCycle(tx, req.ws)
		}
		if err != nil {
			return chat.Message{}, err
		}
		if c.Closed {
			return chat.Message{}, usage("%s is closed; its grades are final.", chat.User(c.Name))
		}
		if len(krs) == 0 {
			krs, err = report.GradingKRs(tx, req.ws, req.actor.ID, c.ID)
			if err != nil {
				return chat.Message{}, err
			}
			if len(krs) == 0 {
				return chat.Message{}, usage("You own no key results to grade in %s. `/okr grade KR3 0.7` grades one you may change.", chat.User(c.Name))
			}
		}
		return chat.Message{Text: "Grade your key results", Form: retro.GradesForm(c, krs)}, nil
	})
}

// gradesSubmit records a submitted grading form. Every grade is checked
// before anything is stored: a refused grade saves nothing and sends the
// form back with the grades kept and the refused ones marked (forms.go).
func (e *Engine) gradesSubmit(ctx context.Context, req *request) (chat.Message, error) {
	refs := forms.Refs(req.ev.FormState)
	if len(refs) == 0 {
		return chat.Message{}, usage("That form has no key results in it. Start again with `/okr grades`.")
	}
	type grade struct {
		ref   okrcore.Ref
		score float64
	}
	var grades []grade
	var fe forms.Errors
	for _, ref := range refs {
		id := ref.String() + ".grade"
		s := strings.TrimSpace(req.ev.Values[id])
		if s == "" {
			continue
		}
		n, ok := reply.ParseNumber(s)
		if !ok {
			fe.Add(id, fmt.Sprintf("%s: I couldn't read \"%s\" as a grade; grades go from 0.0 to 1.0.", ref, chat.User(s)))
			continue
		}
		v := n.Value
		if n.Percent {
			v /= 100
		}
		if v < 0 || v > 1 {
			fe.Add(id, fmt.Sprintf("%s: %s is outside 0.0–1.0.", ref, s))
			continue
		}
		grades = append(grades, grade{ref, v})
	}
	if !fe.Empty() {
		return e.gradesFormBack(ctx, req, refs, fe)
	}
	if len(grades) == 0 {
		return chat.Message{}, usage("The form had no grades in it, so nothing changed.")
	}
	var lines []string
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		lines = lines[:0]
		rules := okrcore.DefaultRules()
		if w, err := tx.Workspace(req.ws); err == nil {
			rules = w.Rules.OrDefault()
		}
		objs := map[okrcore.ID]*okrcore.Objective{}
		var order []okrcore.ID
		for _, g := range grades {
			k, o, err := okrcore.GradeKeyResult(tx, req.now, req.actor, g.ref.ID, g.score)
			if okrcore.IsNotFound(err) {
				return usage("Nothing was saved: %s no longer exists.", g.ref)
			}
			if err != nil {
				return err
			}
			verdict := "not achieved"
			if okrcore.Achieved(*k.Score, rules) {
				verdict = "achieved"
			}
			lines = append(lines, fmt.Sprintf("%s %s: %s (%s)", k.Ref(), chat.User(k.Title), report.FormatGrade(*k.Score), verdict))
			if _, ok := objs[o.ID]; !ok {
				order = append(order, o.ID)
			}
			objs[o.ID] = o
		}
		for _, id := range order {
			o := objs[id]
			lines = append(lines, fmt.Sprintf("%s %s now scores %.2f.", o.Ref(), chat.User(o.Title), *o.Score))
		}
		return nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text("Graded ✓\n" + strings.Join(lines, "\n")), nil
}

// gradesFormBack sends the grading form back with the grades as they were
// submitted and the refused ones marked.
func (e *Engine) gradesFormBack(ctx context.Context, req *request, refs []okrcore.Ref, fe forms.Errors) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var krs []*okrcore.KeyResult
		for _, ref := range refs {
			k, err := tx.KeyResult(req.ws, ref.ID)
			if okrcore.IsNotFound(err) {
				return chat.Message{}, usage("%s no longer exists, so nothing was saved. `/okr grades` opens a fresh form.", ref)
			}
			if err != nil {
				return chat.Message{}, err
			}
			krs = append(krs, k)
		}
		c, err := tx.Cycle(req.ws, krs[0].Cycle)
		if err != nil {
			return chat.Message{}, err
		}
		return forms.Back(retro.GradesForm(c, krs), req.ev.Values, fe), nil
	})
}

// ---------------------------------------------------------------------
// The retrospective dialog

// retro runs the retrospective: `retro` starts (or resumes) it, `retro
// results [TEAM] [C3]` shows a team's aggregate, and `retro ANSWER`
// answers the question being asked (the dialog's buttons send these).
func (e *Engine) retro(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	if len(args) == 0 {
		return e.retroStart(ctx, req)
	}
	switch w := lower(args[0].Text); {
	case w == "results" || w == "result" || w == "summary":
		return e.retroResults(ctx, req, args[1:])
	case len(args) == 1 && (w == "start" || w == "again" || w == "restart"):
		return e.retroStart(ctx, req)
	}
	return e.retroStep(ctx, req, retroRawArgs(req, args))
}

// retroRawArgs is what followed "retro" as the person wrote it, quotes and
// all; tokens lose them.
func retroRawArgs(req *request, args []reply.Token) string {
	src := req.ev.Text
	if req.ev.Kind == chat.EventButton {
		src = req.ev.Value
	}
	src = strings.TrimSpace(src)
	if rest, ok := stripPrefix(src); ok {
		src = rest
	}
	if f := firstWord(src); f != "" && strings.HasPrefix(strings.ToLower(src), f) && (f == "retro" || f == "retrospective") {
		return strings.TrimSpace(src[len(f):])
	}
	return reply.JoinTokens(args)
}

// retroMessage gives free text to a retrospective in progress; ok is false
// when there is none or the text is meant otherwise: a button's command, a
// command while a rating is asked, or a bare command word.
func (e *Engine) retroMessage(ctx context.Context, req *request, text string) (m chat.Message, ok bool, err error) {
	if req.ev.Kind == chat.EventButton {
		return chat.Message{}, false, nil
	}
	var d *retro.Dialog
	err = e.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		d, err = readRetroDialog(tx, req.ws, req.actor.ID)
		return err
	})
	if err != nil || d == nil {
		return chat.Message{}, err != nil, err
	}
	if !isStop(text) && !isSkip(text) {
		if _, isCommand := e.commands()[firstWord(text)]; isCommand {
			if d.Step < len(retroanswers.Statements) || len(strings.Fields(text)) == 1 {
				return chat.Message{}, false, nil
			}
		}
	}
	m, err = e.retroStep(ctx, req, text)
	return m, true, err
}

func readRetroDialog(tx okrcore.Tx, ws string, user okrcore.ID) (*retro.Dialog, error) {
	return retroDialogs.load(tx, ws, user)
}

func (e *Engine) saveRetroDialog(tx okrcore.Tx, req *request, d *retro.Dialog) error {
	return retroDialogs.save(tx, req, d, e.dialogTTL)
}

func (e *Engine) retroStart(ctx context.Context, req *request) (chat.Message, error) {
	checkin, err := e.loadDialog(ctx, req)
	if err != nil {
		return chat.Message{}, err
	}
	return okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		c, err := okrcore.CurrentCycle(tx, req.ws)
		if err != nil {
			return chat.Message{}, err
		}
		if !c.RetroOpen(req.now) {
			return chat.Message{}, usage("%s `/okr retro results` shows your team's summary.", retroClosed(req, c))
		}
		d, err := readRetroDialog(tx, req.ws, req.actor.ID)
		if err != nil {
			return chat.Message{}, err
		}
		var intro []string
		if d != nil && d.Cycle == c.ID {
			intro = append(intro, "Let's carry on with your retrospective where we left off.")
		} else {
			d = &retro.Dialog{Cycle: c.ID}
			d.Answers.Normalize()
			intro = append(intro, fmt.Sprintf("*Retrospective · %s*\nFour statements to rate from 1 (strongly disagree) to 5 (strongly agree), then Start / Stop / Continue. Your team sees only the anonymous summary.", chat.User(c.Name)))
			prev, err := retroanswers.Read(tx, req.ws, c.ID, req.actor.ID)
			if err != nil {
				return chat.Message{}, err
			}
			if prev != nil {
				intro = append(intro, fmt.Sprintf("You answered on %s; answering again replaces those answers when you finish.", prev.At.Format("Jan 2")))
			}
		}
		if checkin != nil {
			intro = append(intro, "You're also in the middle of a check-in, which gets what you type first: use the buttons here, or `stop` the check-in.")
		}
		if err := e.saveRetroDialog(tx, req, d); err != nil {
			return chat.Message{}, err
		}
		return retro.Prompt(d, strings.Join(intro, "\n")), nil
	})
}

// retroStep takes the answer to the question being asked. A bad answer
// gets a sentence and the same question again, and stores nothing.
func (e *Engine) retroStep(ctx context.Context, req *request, text string) (chat.Message, error) {
	return okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		d, err := readRetroDialog(tx, req.ws, req.actor.ID)
		if err != nil {
			return m, err
		}
		if d == nil {
			m = chat.Text("There's no retrospective in progress (or it timed out). `/okr retro` starts one.")
			m.Ephemeral = true
			return m, nil
		}
		if c, err := tx.Cycle(req.ws, d.Cycle); err == nil && !c.RetroOpen(req.now) {
			m = chat.Text(retroClosed(req, c) + " These answers weren't saved.")
			return m, retroDialogs.end(tx, req)
		}
		switch {
		case isStop(text):
			if err := retroDialogs.end(tx, req); err != nil {
				return m, err
			}
			s := "Stopped; nothing from this retrospective was saved. `/okr retro` starts it again."
			if prev, err := retroanswers.Read(tx, req.ws, d.Cycle, req.actor.ID); err == nil && prev != nil {
				s += " Your earlier answers stay as they were."
			}
			m = chat.Text(s)
			return m, nil
		case isSkip(text):
			if d.Step < len(retroanswers.Statements) {
				d.Answers.Ratings[d.Step] = 0
			} else {
				*d.Answers.Text(d.Step - len(retroanswers.Statements)) = ""
			}
		case d.Step < len(retroanswers.Statements):
			r, problem := retro.ParseRating(text)
			if problem != "" {
				m = retro.Prompt(d, problem)
				return m, nil
			}
			d.Answers.Ratings[d.Step] = r
		default:
			s := strings.TrimSpace(okrcore.CleanText(text, true))
			if s == "" {
				m = retro.Prompt(d, "I didn't get an answer; write a sentence, or `skip`.")
				return m, nil
			}
			if utf8.RuneCountInString(s) > retro.MaxText {
				m = retro.Prompt(d, fmt.Sprintf("That's longer than %d characters; please shorten it.", retro.MaxText))
				return m, nil
			}
			*d.Answers.Text(d.Step - len(retroanswers.Statements)) = s
		}
		d.Step++
		if d.Step < retro.Steps {
			if err := e.saveRetroDialog(tx, req, d); err != nil {
				return m, err
			}
			m = retro.Prompt(d, "")
			return m, nil
		}
		return m, e.finishRetro(tx, req, d, &m)
	})
}

// finishRetro stores the answers (replacing earlier ones for the cycle),
// ends the dialog and thanks the person with what they said.
func (e *Engine) finishRetro(tx okrcore.Tx, req *request, d *retro.Dialog, m *chat.Message) error {
	d.Answers.At = req.now
	b, err := json.Marshal(d.Answers)
	if err != nil {
		return fmt.Errorf("encode retrospective answers: %w", err)
	}
	if err := tx.PutState(req.ws, retroanswers.Key(d.Cycle, req.actor.ID), b, req.now.Add(retroKeep)); err != nil {
		return err
	}
	if err := retroDialogs.end(tx, req); err != nil {
		return err
	}
	name := "this cycle"
	if c, err := tx.Cycle(req.ws, d.Cycle); err == nil {
		name = chat.User(c.Name)
	}
	var lines []string
	for i, s := range retroanswers.Statements {
		r := "skipped"
		if d.Answers.Ratings[i] > 0 {
			r = strconv.Itoa(d.Answers.Ratings[i])
		}
		lines = append(lines, fmt.Sprintf("%s: %s", s, r))
	}
	for i, q := range retroanswers.Questions {
		a := chat.User(*d.Answers.Text(i))
		if a == "" {
			a = "skipped"
		}
		lines = append(lines, fmt.Sprintf("%s: %s", q.Label, a))
	}
	head := fmt.Sprintf("Thank you! Your retrospective for %s is saved; your team sees it only in the anonymous summary.", name)
	if teams, err := tx.TeamsOfUser(req.ws, req.actor.ID); err == nil && len(teams) == 0 {
		head += " You're in no team yet, so no team summary includes it."
	}
	*m = chat.Message{
		Text: head + "\n" + strings.Join(lines, "\n"),
		Blocks: []chat.Block{chat.Section{Text: "*" + head + "*"}, chat.Section{Text: strings.Join(lines, "\n")},
			chat.Actions{Buttons: []chat.Button{{Label: "Team results", Value: "retro results"}}}},
	}
	return nil
}

// ---------------------------------------------------------------------
// The aggregate

// retroResults shows a team's aggregate on demand: the named team, or the
// one the person leads (else their first), for the current cycle or a
// named one (`retro results Sales C2`).
func (e *Engine) retroResults(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
		var m chat.Message
		var c *okrcore.Cycle
		if n := len(args); n > 0 {
			if r, ok := okrcore.ParseRef(args[n-1].Text); ok && r.Kind == okrcore.RefCycle {
				var err error
				c, err = tx.Cycle(req.ws, r.ID)
				if okrcore.IsNotFound(err) {
					return m, usage("There is no cycle %s. `/okr cycle list` lists them.", r)
				}
				if err != nil {
					return m, err
				}
				args = args[:n-1]
			}
		}
		if c == nil {
			var err error
			if c, err = okrcore.CurrentCycle(tx, req.ws); err != nil {
				return m, err
			}
		}
		var t *okrcore.Team
		if len(args) > 0 {
			var err error
			if t, err = report.FindTeam(tx, req.ws, reply.JoinTokens(args)); err != nil {
				return m, err
			}
		} else {
			teams, err := tx.TeamsOfUser(req.ws, req.actor.ID)
			if err != nil {
				return m, err
			}
			for _, tt := range teams {
				if tt.Lead == req.actor.ID {
					t = tt
					break
				}
			}
			if t == nil && len(teams) > 0 {
				t = teams[0]
			}
			if t == nil {
				return m, usage("Which team? Try `/okr retro results Sales`; `/okr teams` lists them.")
			}
		}
		s, err := report.SummarizeRetro(tx, req.ws, t, c)
		if err != nil {
			return m, err
		}
		rules := okrcore.DefaultRules()
		if w, err := tx.Workspace(req.ws); err == nil {
			rules = w.Rules
		}
		if why := report.RetroWithheld(s, rules, req.now, chat.Location(req.actor.TimeZone)); why != "" {
			if s.Answered == 0 && c.RetroOpen(req.now) {
				why += " `/okr retro` starts yours."
			}
			m = chat.Text(why)
			return m, nil
		}
		m = report.RetroSummaryMessage(s)
		return m, nil
	})
}

// retroClosed says that answering a cycle's retrospective has closed, and
// when, in the person's time zone.
func retroClosed(req *request, c *okrcore.Cycle) string {
	return fmt.Sprintf("Answering the %s retrospective closed %s.", chat.User(c.Name), report.RetroClosing(c, req.now, chat.Location(req.actor.TimeZone)))
}

// applyRetroRule reads `rules retro N`: how many answers a team's
// retrospective results show from.
func applyRetroRule(r *okrcore.Rules, args []reply.Token) error {
	n := 0
	if len(args) == 1 {
		n, _ = strconv.Atoi(args[0].Text)
	}
	if n < okrcore.MinRetroAnswers {
		return usage("Say from how many answers a team's retrospective results show, never fewer than %d: `/okr rules retro 5`.", okrcore.MinRetroAnswers)
	}
	r.RetroMinAnswers = n
	return nil
}
