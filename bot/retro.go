package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
)

// The end of a cycle: owners grade their key results (a prompt with the
// suggested grades, buttons and a form), then everyone answers a short
// retrospective in chat (four statements rated 1–5 and Start / Stop /
// Continue), and each team gets the anonymous aggregate.
//
// State keys:
//
//	retro:dialog:<user>             the retrospective a person is answering
//	                                now (cycle, question, answers so far);
//	                                expires like a check-in dialog
//	retro:answers:<cycle>:<user>    a person's finished answers for a cycle,
//	                                kept retroKeep; answering again replaces them
//
// A team's aggregate is computed from the store by reading the answers of
// each of its members, so it survives restarts and needs no other index.

// retroStatements are rated from 1 (strongly disagree) to 5 (strongly agree).
var retroStatements = []string{
	"We work more focused because of OKRs",
	"Our daily priorities add up to our OKRs",
	"We chose and worded our key results well",
	"We are satisfied with the OKR process",
}

// retroQuestions are answered in free text after the statements.
var retroQuestions = []struct{ label, question string }{
	{"Start", "What should we *start* doing next cycle?"},
	{"Stop", "What should we *stop* doing?"},
	{"Continue", "What worked well and should *continue*?"},
}

// retroSteps is the number of questions in a retrospective.
var retroSteps = len(retroStatements) + len(retroQuestions)

// retroKeep is how long a person's answers are kept: long enough to compare
// a cycle's retrospective with the one a year before.
const retroKeep = 400 * 24 * time.Hour

// gradesFormID names the grading form in its EventFormSubmit.
const gradesFormID = "grades"

// maxRetroText bounds one free-text answer.
const maxRetroText = okrcore.MaxNote

var (
	retroStopWords = map[string]bool{"stop": true, "cancel": true, "quit": true, "exit": true, "end": true}
	retroSkipWords = map[string]bool{"skip": true, "next": true, "pass": true, "-": true, "none": true, "n/a": true, "nothing": true}
	retroWordScale = map[string]int{"strongly disagree": 1, "disagree": 2, "neutral": 3, "neither": 3, "agree": 4, "strongly agree": 5}
)

// retroAnswers are one person's answers for one cycle.
type retroAnswers struct {
	// Ratings holds one rating per statement, 0 when skipped.
	Ratings  []int     `json:"ratings"`
	Start    string    `json:"start,omitempty"`
	Stop     string    `json:"stop,omitempty"`
	Continue string    `json:"continue,omitempty"`
	At       time.Time `json:"at"`
}

func (a *retroAnswers) text(i int) *string {
	switch i {
	case 0:
		return &a.Start
	case 1:
		return &a.Stop
	}
	return &a.Continue
}

// normalize makes Ratings one per statement, whatever was stored.
func (a *retroAnswers) normalize() {
	r := make([]int, len(retroStatements))
	copy(r, a.Ratings)
	a.Ratings = r
}

// retroDialog is a retrospective in progress, stored so that it survives a
// restart.
type retroDialog struct {
	Cycle   okrcore.ID   `json:"cycle"`
	Step    int          `json:"step"`
	Answers retroAnswers `json:"answers"`
}

func retroDialogKey(user okrcore.ID) string {
	return "retro:dialog:" + strconv.FormatUint(uint64(user), 10)
}

func retroAnswersKey(cycle, user okrcore.ID) string {
	return "retro:answers:" + strconv.FormatUint(uint64(cycle), 10) + ":" + strconv.FormatUint(uint64(user), 10)
}

// ---------------------------------------------------------------------
// Grading

// cycleOfPeriod is the cycle an end-of-cycle outbox item is about: the one
// its period names ("C3", "3" or the cycle's name), else the current one.
func cycleOfPeriod(tx okrcore.Tx, ws, period string) (*okrcore.Cycle, error) {
	p := strings.TrimSpace(period)
	if p != "" {
		if r, ok := okrcore.ParseRef(p); ok && r.Kind == okrcore.RefCycle {
			if c, err := tx.Cycle(ws, r.ID); err == nil {
				return c, nil
			}
		}
		if n, err := strconv.ParseUint(p, 10, 64); err == nil && n > 0 {
			if c, err := tx.Cycle(ws, okrcore.ID(n)); err == nil {
				return c, nil
			}
		}
		if cs, err := tx.Cycles(ws); err == nil {
			for _, c := range cs {
				if strings.EqualFold(c.Name, p) {
					return c, nil
				}
			}
		}
	}
	return okrcore.CurrentCycle(tx, ws)
}

// gradingKRs lists the key results a person grades in a cycle: those they
// own, and those owned by a team they lead, in id order.
func gradingKRs(tx okrcore.Tx, ws string, user okrcore.ID, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	krs, err := tx.KeyResultsByOwner(ws, okrcore.UserOwner(user), cycle)
	if err != nil {
		return nil, err
	}
	teams, err := tx.TeamsOfUser(ws, user)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if t.Lead != user {
			continue
		}
		tk, err := tx.KeyResultsByOwner(ws, okrcore.TeamOwner(t.ID), cycle)
		if err != nil {
			return nil, err
		}
		krs = append(krs, tk...)
	}
	seen := map[okrcore.ID]bool{}
	out := krs[:0]
	for _, k := range krs {
		if !seen[k.ID] {
			seen[k.ID] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// gradeDetail is where a key result stands, a milestone as done or not.
func gradeDetail(k *okrcore.KeyResult) string {
	if k.Metric == okrcore.MetricMilestone {
		return okrcore.FormatValue(k.Current, k.Metric, k.Unit)
	}
	return krDetail(k)
}

// formatGrade shows a grade with one decimal, or two when it has them
// (0.7, 1.0, 0.55).
func formatGrade(s float64) string {
	t := strconv.FormatFloat(math.Round(s*100)/100, 'f', 2, 64)
	return strings.TrimSuffix(t, "0")
}

// composeGrading asks a key result owner, in the last days of a cycle, to
// grade each key result: progress, the grade suggested from it, a button
// to accept it and one to grade with a form. It is skipped when the person
// owns nothing to grade, has graded everything, or the cycle is closed.
func (e *Engine) composeGrading(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	u, err := tx.User(w.ID, it.User)
	if err != nil {
		return chat.Delivery{}, err
	}
	to := e.directTo(u)
	c, err := cycleOfPeriod(tx, w.ID, it.Period)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{To: to, Skip: "no current cycle"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	if c.Closed {
		return chat.Delivery{To: to, Skip: "the cycle is closed"}, nil
	}
	krs, err := gradingKRs(tx, w.ID, u.ID, c.ID)
	if err != nil {
		return chat.Delivery{}, err
	}
	if len(krs) == 0 {
		return chat.Delivery{To: to, Skip: "owns no key results"}, nil
	}
	open := 0
	for _, k := range krs {
		if k.Score == nil {
			open++
		}
	}
	if open == 0 {
		return chat.Delivery{To: to, Skip: "every key result is graded"}, nil
	}
	rules := w.Rules.OrDefault()
	n := newNamer(tx, w.ID)
	head := fmt.Sprintf("Hi %s! %s ends on %s: time to grade your key results.", u.Name, c.Name, c.End.AddDate(0, 0, -1).Format("Monday, Jan 2"))
	explain := fmt.Sprintf("Grade each from 0.0 to 1.0; %s and above counts as achieved. I suggest a grade from progress: accept it, or give your own.", formatGrade(rules.AchievedScore))
	m := chat.Message{}
	m.Blocks = append(m.Blocks, chat.Section{Text: "*" + head + "*\n" + explain})
	lines := []string{head, explain}
	shown := 0
	for _, k := range krs {
		suggested := okrcore.SuggestScore(k)
		line := fmt.Sprintf("%s %s: %s (%s)", k.Ref(), k.Title, gradeDetail(k), okrcore.Percent(okrcore.KRProgress(k)))
		bar := krBar(k, n, 0)
		if k.Score != nil {
			line += ", graded " + formatGrade(*k.Score)
			bar.Detail += " · graded " + formatGrade(*k.Score) + " ✓"
		} else {
			line += ", suggested " + formatGrade(suggested)
			bar.Detail += " · suggested " + formatGrade(suggested)
		}
		lines = append(lines, line)
		if shown == maxFormKRs {
			continue
		}
		shown++
		m.Blocks = append(m.Blocks, bar)
		if k.Score == nil {
			m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
				{Label: "Accept " + formatGrade(suggested), Value: fmt.Sprintf("grade %s %s", k.Ref(), formatGrade(suggested)), Style: chat.StylePrimary},
				{Label: "Grade…", Value: "grades " + k.Ref().String()},
			}})
		}
	}
	if len(krs) > shown {
		m.Blocks = append(m.Blocks, chat.Context{Text: fmt.Sprintf("…and %d more: `/okr mine` lists them, `/okr grade KR3 0.7` grades one.", len(krs)-shown)})
	}
	var first *okrcore.KeyResult
	for _, k := range krs {
		if k.Score == nil {
			first = k
			break
		}
	}
	hint := fmt.Sprintf("Or write `/okr grade %s %s`. Key results left ungraded get the suggested grade when the cycle closes.", first.Ref(), formatGrade(okrcore.SuggestScore(first)))
	m.Blocks = append(m.Blocks, chat.Context{Text: hint}, chat.Actions{Buttons: []chat.Button{{Label: "Grade all with a form", Value: "grades"}}})
	m.Text = strings.Join(append(lines, hint), "\n")
	return chat.Delivery{To: to, Message: m}, nil
}

// gradesCmd answers with a form to grade key results: the ones named, or
// every key result the person grades in the current cycle.
func (e *Engine) gradesCmd(ctx context.Context, req *request, args []token) (chat.Message, error) {
	var m chat.Message
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		var krs []*okrcore.KeyResult
		var c *okrcore.Cycle
		for _, a := range args {
			ref, ok := okrcore.ParseRef(a.text)
			if !ok || ref.Kind != okrcore.RefKeyResult {
				return usage("Grades go on key results: `/okr grades KR3 KR4`, or `/okr grades` for all of yours.")
			}
			k, err := tx.KeyResult(req.ws, ref.ID)
			if okrcore.IsNotFound(err) {
				return usage("There is no %s. `/okr mine` shows your key results.", ref)
			}
			if err != nil {
				return err
			}
			if err := okrcore.CanChange(tx, req.actor, k.Owner); err != nil {
				return err
			}
			if !hasKR(krs, k.ID) {
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
			return err
		}
		if c.Closed {
			return usage("%s is closed; its grades are final.", c.Name)
		}
		if len(krs) == 0 {
			krs, err = gradingKRs(tx, req.ws, req.actor.ID, c.ID)
			if err != nil {
				return err
			}
			if len(krs) == 0 {
				return usage("You own no key results to grade in %s. `/okr grade KR3 0.7` grades one you may change.", c.Name)
			}
		}
		m = chat.Message{Text: "Grade your key results", Form: gradesForm(c, krs)}
		return nil
	})
	return m, err
}

func gradesForm(c *okrcore.Cycle, krs []*okrcore.KeyResult) *chat.Form {
	if len(krs) > maxFormKRs {
		krs = krs[:maxFormKRs]
	}
	f := &chat.Form{ID: gradesFormID, Title: "Grades · " + c.Name, Submit: "Save grades"}
	var ids []string
	for _, k := range krs {
		ref := k.Ref().String()
		ids = append(ids, ref)
		initial := okrcore.SuggestScore(k)
		if k.Score != nil {
			initial = *k.Score
		}
		// A text input: every platform submits the value shown, so the
		// suggestion is accepted unless the person changes it.
		f.Inputs = append(f.Inputs, chat.Input{ID: ref + ".grade", Label: fmt.Sprintf("%s %s", ref, k.Title), Kind: chat.InputText,
			Initial: formatGrade(initial), Optional: true,
			Hint: fmt.Sprintf("%s, progress %s; suggested %s. 0.0–1.0", gradeDetail(k), okrcore.Percent(okrcore.KRProgress(k)), formatGrade(okrcore.SuggestScore(k)))})
	}
	f.State = strings.Join(ids, ",")
	return f
}

// gradesSubmit records a submitted grading form. Every grade is checked
// before anything is stored: one bad value rejects the form.
func (e *Engine) gradesSubmit(ctx context.Context, req *request) (chat.Message, error) {
	var refs []okrcore.Ref
	for _, s := range strings.Split(req.ev.FormState, ",") {
		if r, ok := okrcore.ParseRef(s); ok && r.Kind == okrcore.RefKeyResult {
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		return chat.Message{}, usage("That form has no key results in it. Start again with `/okr grades`.")
	}
	type grade struct {
		ref   okrcore.Ref
		score float64
	}
	var grades []grade
	var problems []string
	for _, ref := range refs {
		s := strings.TrimSpace(req.ev.Values[ref.String()+".grade"])
		if s == "" {
			continue
		}
		n, ok := reply.ParseNumber(s)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: I couldn't read %q as a grade.", ref, s))
			continue
		}
		v := n.Value
		if n.Percent {
			v /= 100
		}
		if v < 0 || v > 1 {
			problems = append(problems, fmt.Sprintf("%s: %s is outside 0.0–1.0.", ref, s))
			continue
		}
		grades = append(grades, grade{ref, v})
	}
	if len(problems) > 0 {
		return chat.Message{}, usage("Nothing was saved: %s Grades go from 0.0 to 1.0.", strings.Join(problems, " "))
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
			lines = append(lines, fmt.Sprintf("%s %s: %s (%s)", k.Ref(), k.Title, formatGrade(*k.Score), verdict))
			if _, ok := objs[o.ID]; !ok {
				order = append(order, o.ID)
			}
			objs[o.ID] = o
		}
		for _, id := range order {
			o := objs[id]
			lines = append(lines, fmt.Sprintf("%s %s now scores %.2f.", o.Ref(), o.Title, *o.Score))
		}
		return nil
	})
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Text("Graded ✓\n" + strings.Join(lines, "\n")), nil
}

// ---------------------------------------------------------------------
// The retrospective dialog

// retro runs the retrospective: `retro` starts (or resumes) it, `retro
// results [TEAM] [C3]` shows a team's aggregate, and `retro ANSWER`
// answers the question being asked (the dialog's buttons send these).
func (e *Engine) retro(ctx context.Context, req *request, args []token) (chat.Message, error) {
	if len(args) == 0 {
		return e.retroStart(ctx, req)
	}
	switch w := lower(args[0].text); {
	case w == "results" || w == "result" || w == "summary":
		return e.retroResults(ctx, req, args[1:])
	case len(args) == 1 && (w == "start" || w == "again" || w == "restart"):
		return e.retroStart(ctx, req)
	}
	return e.retroStep(ctx, req, retroRawArgs(req, args))
}

// retroRawArgs is what followed "retro" as the person wrote it, quotes and
// all; tokens lose them.
func retroRawArgs(req *request, args []token) string {
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
	return joinTokens(args)
}

// retroMessage gives free text to a retrospective in progress; ok is false
// when there is none or the text is meant otherwise: a button's command, a
// command while a rating is asked, or a bare command word.
func (e *Engine) retroMessage(ctx context.Context, req *request, text string) (m chat.Message, ok bool, err error) {
	if req.ev.Kind == chat.EventButton {
		return chat.Message{}, false, nil
	}
	var d *retroDialog
	err = e.store.View(ctx, func(tx okrcore.Tx) error {
		var err error
		d, err = readRetroDialog(tx, req.ws, req.actor.ID)
		return err
	})
	if err != nil || d == nil {
		return chat.Message{}, err != nil, err
	}
	word := retroWord(text)
	if !retroStopWords[word] && !retroSkipWords[word] {
		if _, isCommand := e.commands()[firstWord(text)]; isCommand {
			if d.Step < len(retroStatements) || len(strings.Fields(text)) == 1 {
				return chat.Message{}, false, nil
			}
		}
	}
	m, err = e.retroStep(ctx, req, text)
	return m, true, err
}

func retroWord(text string) string { return lower(strings.TrimRight(strings.TrimSpace(text), ".!")) }

func readRetroDialog(tx okrcore.Tx, ws string, user okrcore.ID) (*retroDialog, error) {
	b, err := tx.State(ws, retroDialogKey(user))
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := &retroDialog{}
	if err := json.Unmarshal(b, d); err != nil || d.Step < 0 || d.Step >= retroSteps {
		return nil, nil // a damaged dialog is forgotten, not fatal
	}
	d.Answers.normalize()
	return d, nil
}

func (e *Engine) saveRetroDialog(tx okrcore.Tx, req *request, d *retroDialog) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode retrospective: %w", err)
	}
	return tx.PutState(req.ws, retroDialogKey(req.actor.ID), b, req.now.Add(e.dialogTTL))
}

func deleteRetroDialog(tx okrcore.Tx, req *request) error {
	err := tx.DeleteState(req.ws, retroDialogKey(req.actor.ID))
	if okrcore.IsNotFound(err) {
		return nil
	}
	return err
}

func readRetroAnswers(tx okrcore.Tx, ws string, cycle, user okrcore.ID) (*retroAnswers, error) {
	b, err := tx.State(ws, retroAnswersKey(cycle, user))
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a := &retroAnswers{}
	if err := json.Unmarshal(b, a); err != nil {
		return nil, nil
	}
	a.normalize()
	return a, nil
}

func (e *Engine) retroStart(ctx context.Context, req *request) (chat.Message, error) {
	checkin, err := e.loadDialog(ctx, req)
	if err != nil {
		return chat.Message{}, err
	}
	var m chat.Message
	err = e.store.Update(ctx, func(tx okrcore.Tx) error {
		c, err := okrcore.CurrentCycle(tx, req.ws)
		if err != nil {
			return err
		}
		d, err := readRetroDialog(tx, req.ws, req.actor.ID)
		if err != nil {
			return err
		}
		var intro []string
		if d != nil && d.Cycle == c.ID {
			intro = append(intro, "Let's carry on with your retrospective where we left off.")
		} else {
			d = &retroDialog{Cycle: c.ID}
			d.Answers.normalize()
			intro = append(intro, fmt.Sprintf("*Retrospective · %s*\nFour statements to rate from 1 (strongly disagree) to 5 (strongly agree), then Start / Stop / Continue. Your team sees only the anonymous summary.", c.Name))
			prev, err := readRetroAnswers(tx, req.ws, c.ID, req.actor.ID)
			if err != nil {
				return err
			}
			if prev != nil {
				intro = append(intro, fmt.Sprintf("You answered on %s; answering again replaces those answers when you finish.", prev.At.Format("Jan 2")))
			}
		}
		if checkin != nil {
			intro = append(intro, "You're also in the middle of a check-in, which gets what you type first: use the buttons here, or `stop` the check-in.")
		}
		if err := e.saveRetroDialog(tx, req, d); err != nil {
			return err
		}
		m = retroPrompt(d, strings.Join(intro, "\n"))
		return nil
	})
	return m, err
}

// retroPrompt asks the dialog's current question, after lead when set.
func retroPrompt(d *retroDialog, lead string) chat.Message {
	pos := fmt.Sprintf("(%d/%d)", d.Step+1, retroSteps)
	// Rating buttons are the only ones, so that a terminal's numbered
	// buttons and typed ratings agree; `skip` and `stop` are typed.
	var q, hint string
	var buttons []chat.Button
	if d.Step < len(retroStatements) {
		q = fmt.Sprintf("%s How much do you agree? *%s*", pos, retroStatements[d.Step])
		hint = "1 = strongly disagree … 5 = strongly agree. `skip` moves on, `stop` ends."
		for i := 1; i <= 5; i++ {
			buttons = append(buttons, chat.Button{Label: strconv.Itoa(i), Value: "retro " + strconv.Itoa(i)})
		}
	} else {
		tq := retroQuestions[d.Step-len(retroStatements)]
		q = fmt.Sprintf("%s *%s*: %s", pos, tq.label, tq.question)
		hint = "Write a sentence or two; only the anonymous summary shows it. `skip` moves on, `stop` ends."
		buttons = append(buttons, chat.Button{Label: "Skip", Value: "retro skip"})
	}
	m := chat.Message{Text: q + "\n" + hint}
	if lead != "" {
		m.Text = lead + "\n\n" + m.Text
		m.Blocks = append(m.Blocks, chat.Section{Text: lead})
	}
	m.Blocks = append(m.Blocks, chat.Section{Text: q}, chat.Context{Text: hint}, chat.Actions{Buttons: buttons})
	return m
}

// parseRating reads a 1–5 rating; problem is a sentence for the person
// when the answer is not one.
func parseRating(s string) (rating int, problem string) {
	w := retroWord(s)
	for _, suffix := range []string{"/5", " out of 5", " of 5"} {
		w = strings.TrimSpace(strings.TrimSuffix(w, suffix))
	}
	if r, ok := retroWordScale[strings.Join(strings.Fields(w), " ")]; ok {
		return r, ""
	}
	n, err := strconv.Atoi(w)
	if err != nil {
		if _, ferr := strconv.ParseFloat(w, 64); ferr == nil {
			return 0, fmt.Sprintf("Please rate with a whole number from 1 to 5; %q isn't one.", strings.TrimSpace(s))
		}
		return 0, fmt.Sprintf("I need a rating from 1 (strongly disagree) to 5 (strongly agree); %q isn't one.", strings.TrimSpace(s))
	}
	if n < 1 || n > 5 {
		return 0, fmt.Sprintf("%d is off the scale: ratings go from 1 (strongly disagree) to 5 (strongly agree).", n)
	}
	return n, ""
}

// retroStep takes the answer to the question being asked. A bad answer
// gets a sentence and the same question again, and stores nothing.
func (e *Engine) retroStep(ctx context.Context, req *request, text string) (chat.Message, error) {
	var m chat.Message
	err := e.store.Update(ctx, func(tx okrcore.Tx) error {
		d, err := readRetroDialog(tx, req.ws, req.actor.ID)
		if err != nil {
			return err
		}
		if d == nil {
			m = chat.Text("There's no retrospective in progress (or it timed out). `/okr retro` starts one.")
			m.Ephemeral = true
			return nil
		}
		word := retroWord(text)
		switch {
		case retroStopWords[word]:
			if err := deleteRetroDialog(tx, req); err != nil {
				return err
			}
			s := "Stopped; nothing from this retrospective was saved. `/okr retro` starts it again."
			if prev, err := readRetroAnswers(tx, req.ws, d.Cycle, req.actor.ID); err == nil && prev != nil {
				s += " Your earlier answers stay as they were."
			}
			m = chat.Text(s)
			return nil
		case retroSkipWords[word]:
			if d.Step < len(retroStatements) {
				d.Answers.Ratings[d.Step] = 0
			} else {
				*d.Answers.text(d.Step - len(retroStatements)) = ""
			}
		case d.Step < len(retroStatements):
			r, problem := parseRating(text)
			if problem != "" {
				m = retroPrompt(d, problem)
				return nil
			}
			d.Answers.Ratings[d.Step] = r
		default:
			s := strings.TrimSpace(text)
			if s == "" {
				m = retroPrompt(d, "I didn't get an answer; write a sentence, or `skip`.")
				return nil
			}
			if utf8.RuneCountInString(s) > maxRetroText {
				m = retroPrompt(d, fmt.Sprintf("That's longer than %d characters; please shorten it.", maxRetroText))
				return nil
			}
			*d.Answers.text(d.Step - len(retroStatements)) = s
		}
		d.Step++
		if d.Step < retroSteps {
			if err := e.saveRetroDialog(tx, req, d); err != nil {
				return err
			}
			m = retroPrompt(d, "")
			return nil
		}
		return e.finishRetro(tx, req, d, &m)
	})
	return m, err
}

// finishRetro stores the answers (replacing earlier ones for the cycle),
// ends the dialog and thanks the person with what they said.
func (e *Engine) finishRetro(tx okrcore.Tx, req *request, d *retroDialog, m *chat.Message) error {
	d.Answers.At = req.now
	b, err := json.Marshal(d.Answers)
	if err != nil {
		return fmt.Errorf("encode retrospective answers: %w", err)
	}
	if err := tx.PutState(req.ws, retroAnswersKey(d.Cycle, req.actor.ID), b, req.now.Add(retroKeep)); err != nil {
		return err
	}
	if err := deleteRetroDialog(tx, req); err != nil {
		return err
	}
	name := "this cycle"
	if c, err := tx.Cycle(req.ws, d.Cycle); err == nil {
		name = c.Name
	}
	var lines []string
	for i, s := range retroStatements {
		r := "skipped"
		if d.Answers.Ratings[i] > 0 {
			r = strconv.Itoa(d.Answers.Ratings[i])
		}
		lines = append(lines, fmt.Sprintf("%s: %s", s, r))
	}
	for i, q := range retroQuestions {
		a := *d.Answers.text(i)
		if a == "" {
			a = "skipped"
		}
		lines = append(lines, fmt.Sprintf("%s: %s", q.label, a))
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

// retroSummary is a team's anonymous retrospective for a cycle.
type retroSummary struct {
	team     *okrcore.Team
	cycle    *okrcore.Cycle
	members  int
	answered int
	sum      []int
	count    []int
	texts    [][]string // per retroQuestions, sorted so order reveals no one
}

func teamMemberIDs(t *okrcore.Team) []okrcore.ID {
	var ids []okrcore.ID
	seen := map[okrcore.ID]bool{}
	for _, id := range append([]okrcore.ID{t.Lead}, t.Members...) {
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func summarizeRetro(tx okrcore.Tx, ws string, t *okrcore.Team, c *okrcore.Cycle) (*retroSummary, error) {
	s := &retroSummary{team: t, cycle: c, sum: make([]int, len(retroStatements)), count: make([]int, len(retroStatements)), texts: make([][]string, len(retroQuestions))}
	ids := teamMemberIDs(t)
	s.members = len(ids)
	for _, id := range ids {
		a, err := readRetroAnswers(tx, ws, c.ID, id)
		if err != nil {
			return nil, err
		}
		if a == nil {
			continue
		}
		s.answered++
		for i, r := range a.Ratings {
			if r >= 1 && r <= 5 {
				s.sum[i] += r
				s.count[i]++
			}
		}
		for i := range retroQuestions {
			if txt := strings.TrimSpace(*a.text(i)); txt != "" {
				s.texts[i] = append(s.texts[i], txt)
			}
		}
	}
	for i := range s.texts {
		sort.Strings(s.texts[i])
	}
	return s, nil
}

// average is a statement's mean rating with one decimal, and its count.
func (s *retroSummary) average(i int) string {
	if s.count[i] == 0 {
		return "no ratings"
	}
	noun := "ratings"
	if s.count[i] == 1 {
		noun = "rating"
	}
	return fmt.Sprintf("%.1f / 5 (%d %s)", float64(s.sum[i])/float64(s.count[i]), s.count[i], noun)
}

// retroSectionLimit keeps a section within the platforms' limits (Block Kit
// sections hold 3,000 characters).
const retroSectionLimit = 2800

func bulletList(items []string) string {
	if len(items) == 0 {
		return "no answers"
	}
	var b strings.Builder
	for i, it := range items {
		line := "• " + strings.ReplaceAll(it, "\n", " ")
		if b.Len()+len(line)+40 > retroSectionLimit {
			fmt.Fprintf(&b, "…and %d more", len(items)-i)
			break
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func retroSummaryMessage(s *retroSummary) chat.Message {
	head := fmt.Sprintf("Retrospective · %s · %s", s.team.Name, s.cycle.Name)
	who := fmt.Sprintf("%d of %d people in %s answered. Ratings go from 1 (strongly disagree) to 5 (strongly agree).", s.answered, s.members, s.team.Name)
	var ratings []string
	for i, st := range retroStatements {
		ratings = append(ratings, fmt.Sprintf("%s: *%s*", st, s.average(i)))
	}
	m := chat.Message{}
	m.Blocks = append(m.Blocks, chat.Header{Text: head}, chat.Section{Text: who}, chat.Section{Text: strings.Join(ratings, "\n")})
	text := []string{head, who, strings.Join(ratings, "\n")}
	for i, q := range retroQuestions {
		body := "*" + q.label + "*\n" + bulletList(s.texts[i])
		m.Blocks = append(m.Blocks, chat.Section{Text: body})
		text = append(text, body)
	}
	note := "Anonymous: answers are listed without names, in alphabetical order."
	m.Blocks = append(m.Blocks, chat.Context{Text: note})
	m.Text = strings.Join(append(text, note), "\n")
	return m
}

// retroResults shows a team's aggregate on demand: the named team, or the
// one the person leads (else their first), for the current cycle or a
// named one (`retro results Sales C2`).
func (e *Engine) retroResults(ctx context.Context, req *request, args []token) (chat.Message, error) {
	var m chat.Message
	err := e.store.View(ctx, func(tx okrcore.Tx) error {
		var c *okrcore.Cycle
		if n := len(args); n > 0 {
			if r, ok := okrcore.ParseRef(args[n-1].text); ok && r.Kind == okrcore.RefCycle {
				var err error
				c, err = tx.Cycle(req.ws, r.ID)
				if okrcore.IsNotFound(err) {
					return usage("There is no cycle %s. `/okr cycle list` lists them.", r)
				}
				if err != nil {
					return err
				}
				args = args[:n-1]
			}
		}
		if c == nil {
			var err error
			if c, err = okrcore.CurrentCycle(tx, req.ws); err != nil {
				return err
			}
		}
		var t *okrcore.Team
		if len(args) > 0 {
			var err error
			if t, err = findTeam(tx, req.ws, joinTokens(args)); err != nil {
				return err
			}
		} else {
			teams, err := tx.TeamsOfUser(req.ws, req.actor.ID)
			if err != nil {
				return err
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
				return usage("Which team? Try `/okr retro results Sales`; `/okr teams` lists them.")
			}
		}
		s, err := summarizeRetro(tx, req.ws, t, c)
		if err != nil {
			return err
		}
		if s.answered == 0 {
			m = chat.Text(fmt.Sprintf("Nobody in %s has answered the %s retrospective yet. `/okr retro` starts yours.", t.Name, c.Name))
			return nil
		}
		m = retroSummaryMessage(s)
		return nil
	})
	return m, err
}

// composeRetro builds a retrospective outbox item: with a user, the DM that
// invites them to the retrospective (skipped once they have answered);
// with a team, the anonymous aggregate for its channel, or its lead when it
// has none (skipped when nobody answered).
func (e *Engine) composeRetro(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	switch {
	case it.User != 0:
		u, err := tx.User(w.ID, it.User)
		if err != nil {
			return chat.Delivery{}, err
		}
		to := e.directTo(u)
		c, err := cycleOfPeriod(tx, w.ID, it.Period)
		if okrcore.IsNotFound(err) {
			return chat.Delivery{To: to, Skip: "no current cycle"}, nil
		}
		if err != nil {
			return chat.Delivery{}, err
		}
		if a, err := readRetroAnswers(tx, w.ID, c.ID, u.ID); err != nil {
			return chat.Delivery{}, err
		} else if a != nil {
			return chat.Delivery{To: to, Skip: "already answered the retrospective"}, nil
		}
		head := fmt.Sprintf("Hi %s! %s is coming to an end. How did OKRs work for your team?", u.Name, c.Name)
		body := fmt.Sprintf("A two-minute retrospective: rate %d statements from 1 to 5, then say what to start, stop and continue. Your team sees only the anonymous summary.", len(retroStatements))
		return chat.Delivery{To: to, Message: chat.Message{
			Text: head + "\n" + body,
			Blocks: []chat.Block{chat.Section{Text: "*" + head + "*\n" + body},
				chat.Actions{Buttons: []chat.Button{{Label: "Start the retro", Value: "retro", Style: chat.StylePrimary}}}},
		}}, nil
	case it.Team != 0:
		t, err := tx.Team(w.ID, it.Team)
		if err != nil {
			return chat.Delivery{}, err
		}
		to, ok, err := e.teamTo(tx, w.ID, t)
		if err != nil {
			return chat.Delivery{}, err
		}
		if !ok {
			return chat.Delivery{Skip: "the team has no channel and no lead"}, nil
		}
		c, err := cycleOfPeriod(tx, w.ID, it.Period)
		if okrcore.IsNotFound(err) {
			return chat.Delivery{To: to, Skip: "no current cycle"}, nil
		}
		if err != nil {
			return chat.Delivery{}, err
		}
		s, err := summarizeRetro(tx, w.ID, t, c)
		if err != nil {
			return chat.Delivery{}, err
		}
		if s.answered == 0 {
			return chat.Delivery{To: to, Skip: "nobody answered the retrospective"}, nil
		}
		return chat.Delivery{To: to, Message: retroSummaryMessage(s)}, nil
	}
	return chat.Delivery{}, fmt.Errorf("retrospective item %d has neither a user nor a team", it.ID)
}
