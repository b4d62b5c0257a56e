// Package retro holds what the conversation's end-of-cycle grading and
// retrospective say and read without the store: the grading form, the
// retrospective's questions one at a time, and the reading of a rating.
package retro

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report"
	"github.com/okrbot/okrbot/report/retroanswers"
)

// Steps is the number of questions in a retrospective.
var Steps = len(retroanswers.Statements) + len(retroanswers.Questions)

// GradesFormID names the grading form in its EventFormSubmit.
const GradesFormID = "grades"

// MaxText bounds one free-text answer.
const MaxText = okrcore.MaxNote

// wordScale reads ratings said in words.
var wordScale = map[string]int{"strongly disagree": 1, "disagree": 2, "neutral": 3, "neither": 3, "agree": 4, "strongly agree": 5}

// Dialog is a retrospective in progress, stored so that it survives a
// restart.
type Dialog struct {
	Cycle   okrcore.ID           `json:"cycle"`
	Step    int                  `json:"step"`
	Answers retroanswers.Answers `json:"answers"`
}

// GradesForm is the form to grade key results of cycle c, each with the
// suggested grade filled in.
func GradesForm(c *okrcore.Cycle, krs []*okrcore.KeyResult) *chat.Form {
	if len(krs) > report.MaxFormKRs {
		krs = krs[:report.MaxFormKRs]
	}
	f := &chat.Form{ID: GradesFormID, Title: "Grades · " + chat.User(c.Name), Submit: "Save grades"}
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
		f.Inputs = append(f.Inputs, chat.Input{ID: ref + ".grade", Label: fmt.Sprintf("%s %s", ref, chat.User(k.Title)), Kind: chat.InputText,
			Initial: report.FormatGrade(initial), Optional: true,
			Hint: fmt.Sprintf("%s, progress %s; suggested %s. 0.0–1.0", report.GradeDetail(k), okrcore.Percent(okrcore.KRProgress(k)), report.FormatGrade(okrcore.SuggestScore(k)))})
	}
	f.State = strings.Join(ids, ",")
	return f
}

// Prompt asks the dialog's current question, after lead when set.
func Prompt(d *Dialog, lead string) chat.Message {
	pos := fmt.Sprintf("(%d/%d)", d.Step+1, Steps)
	// Rating buttons are the only ones, so that a terminal's numbered
	// buttons and typed ratings agree; `skip` and `stop` are typed.
	var q, hint string
	var buttons []chat.Button
	if d.Step < len(retroanswers.Statements) {
		q = fmt.Sprintf("%s How much do you agree? *%s*", pos, retroanswers.Statements[d.Step])
		hint = "1 = strongly disagree … 5 = strongly agree. `skip` moves on, `stop` ends."
		for i := 1; i <= 5; i++ {
			buttons = append(buttons, chat.Button{Label: strconv.Itoa(i), Value: "retro " + strconv.Itoa(i)})
		}
	} else {
		tq := retroanswers.Questions[d.Step-len(retroanswers.Statements)]
		q = fmt.Sprintf("%s *%s*: %s", pos, tq.Label, tq.Question)
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

// ParseRating reads a 1–5 rating; problem is a sentence for the person
// when the answer is not one.
func ParseRating(s string) (rating int, problem string) {
	w := strings.ToLower(strings.TrimRight(strings.TrimSpace(s), ".!"))
	for _, suffix := range []string{"/5", " out of 5", " of 5"} {
		w = strings.TrimSpace(strings.TrimSuffix(w, suffix))
	}
	if r, ok := wordScale[strings.Join(strings.Fields(w), " ")]; ok {
		return r, ""
	}
	n, err := strconv.Atoi(w)
	if err != nil {
		if _, ferr := strconv.ParseFloat(w, 64); ferr == nil {
			return 0, fmt.Sprintf("Please rate with a whole number from 1 to 5; \"%s\" isn't one.", chat.User(strings.TrimSpace(s)))
		}
		return 0, fmt.Sprintf("I need a rating from 1 (strongly disagree) to 5 (strongly agree); \"%s\" isn't one.", chat.User(strings.TrimSpace(s)))
	}
	if n < 1 || n > 5 {
		return 0, fmt.Sprintf("%d is off the scale: ratings go from 1 (strongly disagree) to 5 (strongly agree).", n)
	}
	return n, ""
}
