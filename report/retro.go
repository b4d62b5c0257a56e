package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/cycles"
	"github.com/okrbot/okrbot/report/cycleview"
	"github.com/okrbot/okrbot/report/retroanswers"
)

// composeGrading asks a key result owner, in the last days of a cycle, to
// grade each key result: progress, the grade suggested from it, a button
// to accept it and one to grade with a form. It is skipped when the person
// owns nothing to grade, has graded everything, or the cycle is closed.
func (e *Reports) composeGrading(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	u, err := tx.User(w.ID, it.User)
	if err != nil {
		return chat.Delivery{}, err
	}
	to := e.directTo(u)
	c, err := cycleview.OfPeriod(tx, w.ID, it.Period)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{To: to, Skip: "no current cycle"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	if c.Closed {
		return chat.Delivery{To: to, Skip: "the cycle is closed"}, nil
	}
	krs, err := GradingKRs(tx, w.ID, u.ID, c.ID)
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
	n := NewReading(tx, w.ID, e.now())
	head := fmt.Sprintf("Hi %s! %s ends on %s: time to grade your key results.", chat.User(u.Name), chat.User(c.Name), c.End.AddDate(0, 0, -1).Format("Monday, Jan 2"))
	explain := fmt.Sprintf("Grade each from 0.0 to 1.0; %s and above counts as achieved. I suggest a grade from progress: accept it, or give your own.", FormatGrade(rules.AchievedScore))
	m := chat.Message{}
	m.Blocks = append(m.Blocks, chat.Section{Text: "*" + head + "*\n" + explain})
	lines := []string{head, explain}
	shown := 0
	for _, k := range krs {
		suggested := okrcore.SuggestScore(k)
		line := fmt.Sprintf("%s %s: %s (%s)", k.Ref(), chat.User(k.Title), GradeDetail(k), okrcore.Percent(okrcore.KRProgress(k)))
		bar := KRBar(k, n, 0)
		if k.Score != nil {
			line += ", graded " + FormatGrade(*k.Score)
			bar.Detail += " · graded " + FormatGrade(*k.Score) + " ✓"
		} else {
			line += ", suggested " + FormatGrade(suggested)
			bar.Detail += " · suggested " + FormatGrade(suggested)
		}
		lines = append(lines, line)
		if shown == MaxFormKRs {
			continue
		}
		shown++
		m.Blocks = append(m.Blocks, bar)
		if k.Score == nil {
			m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{
				{Label: "Accept " + FormatGrade(suggested), Value: fmt.Sprintf("grade %s %s", k.Ref(), FormatGrade(suggested)), Style: chat.StylePrimary},
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
	hint := fmt.Sprintf("Or write `/okr grade %s %s`. Key results left ungraded get the suggested grade when the cycle closes.", first.Ref(), FormatGrade(okrcore.SuggestScore(first)))
	m.Blocks = append(m.Blocks, chat.Context{Text: hint}, chat.Actions{Buttons: []chat.Button{{Label: "Grade all with a form", Value: "grades"}}})
	m.Text = strings.Join(append(lines, hint), "\n")
	return chat.Delivery{To: to, Message: m}, nil
}

// composeRetro builds a retrospective outbox item: with a user, the DM that
// invites them to the retrospective (skipped once they have answered);
// with a team, the anonymous aggregate for its channel, or its lead when it
// has none (skipped when nobody answered).
func (e *Reports) composeRetro(_ context.Context, tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem) (chat.Delivery, error) {
	switch {
	case it.User != 0:
		u, err := tx.User(w.ID, it.User)
		if err != nil {
			return chat.Delivery{}, err
		}
		to := e.directTo(u)
		c, err := cycleview.OfPeriod(tx, w.ID, it.Period)
		if okrcore.IsNotFound(err) {
			return chat.Delivery{To: to, Skip: "no current cycle"}, nil
		}
		if err != nil {
			return chat.Delivery{}, err
		}
		if !c.RetroOpen(e.now()) {
			return chat.Delivery{To: to, Skip: "answering the retrospective has closed"}, nil
		}
		if a, err := retroanswers.Read(tx, w.ID, c.ID, u.ID); err != nil {
			return chat.Delivery{}, err
		} else if a != nil {
			return chat.Delivery{To: to, Skip: "already answered the retrospective"}, nil
		}
		head := fmt.Sprintf("Hi %s! %s is coming to an end. How did OKRs work for your team?", chat.User(u.Name), chat.User(c.Name))
		body := fmt.Sprintf("A two-minute retrospective: rate %d statements from 1 to 5, then say what to start, stop and continue. Your team sees only the anonymous summary.", len(retroanswers.Statements))
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
		c, err := cycleview.OfPeriod(tx, w.ID, it.Period)
		if okrcore.IsNotFound(err) {
			return chat.Delivery{To: to, Skip: "no current cycle"}, nil
		}
		if err != nil {
			return chat.Delivery{}, err
		}
		s, err := SummarizeRetro(tx, w.ID, t, c)
		if err != nil {
			return chat.Delivery{}, err
		}
		if s.Answered == 0 {
			return chat.Delivery{To: to, Skip: "nobody answered the retrospective"}, nil
		}
		if why := RetroWithheld(s, w.Rules, e.now(), teamLocation(tx, w.ID, t)); why != "" {
			return chat.Delivery{To: to, Skip: why}, nil
		}
		return chat.Delivery{To: to, Message: RetroSummaryMessage(s)}, nil
	}
	return chat.Delivery{}, fmt.Errorf("retrospective item %d has neither a user nor a team", it.ID)
}

// retroSummary is a team's anonymous retrospective for a cycle.
type retroSummary struct {
	team     *okrcore.Team
	cycle    *okrcore.Cycle
	members  int
	Answered int
	sum      []int
	count    []int
	texts    [][]string // per retroQuestions, sorted so order reveals no one
}

func SummarizeRetro(tx okrcore.Tx, ws string, t *okrcore.Team, c *okrcore.Cycle) (*retroSummary, error) {
	s := &retroSummary{team: t, cycle: c, sum: make([]int, len(retroanswers.Statements)), count: make([]int, len(retroanswers.Statements)), texts: make([][]string, len(retroanswers.Questions))}
	ids := t.People()
	s.members = len(ids)
	for _, id := range ids {
		a, err := retroanswers.Read(tx, ws, c.ID, id)
		if err != nil {
			return nil, err
		}
		if a == nil {
			continue
		}
		s.Answered++
		for i, r := range a.Ratings {
			if r >= 1 && r <= 5 {
				s.sum[i] += r
				s.count[i]++
			}
		}
		for i := range retroanswers.Questions {
			if txt := strings.TrimSpace(*a.Text(i)); txt != "" {
				s.texts[i] = append(s.texts[i], txt)
			}
		}
	}
	for i := range s.texts {
		sort.Strings(s.texts[i])
	}
	return s, nil
}

// RetroWithheld says why a team's results may not show at now, or "" when
// they may: only once answering has closed (okrcore.Cycle.RetroOpen) and
// at least the rules' minimum of people have answered, so that nobody's
// answers can be told apart. Times are said in loc.
func RetroWithheld(s *retroSummary, r okrcore.Rules, now time.Time, loc *time.Location) string {
	least := r.RetroMinimum()
	answered := fmt.Sprintf("%d of %s in %s", s.Answered, Count(s.members, "person"), chat.User(s.team.Name))
	if s.cycle.RetroOpen(now) {
		if s.Answered == 0 {
			return fmt.Sprintf("Nobody in %s has answered the %s retrospective yet.", chat.User(s.team.Name), chat.User(s.cycle.Name))
		}
		why := fmt.Sprintf("%s have answered the %s retrospective; results when answering closes, %s", answered, chat.User(s.cycle.Name), RetroClosing(s.cycle, now, loc))
		if s.Answered < least {
			why += fmt.Sprintf(", if at least %d have answered by then", least)
		}
		return why + "."
	}
	if s.Answered == 0 {
		return fmt.Sprintf("Nobody in %s has answered the %s retrospective, and answering has closed.", chat.User(s.team.Name), chat.User(s.cycle.Name))
	}
	if s.Answered < least {
		return fmt.Sprintf("Answering the %s retrospective has closed and %s answered: results show only from %d answers, so that nobody's answers can be told apart.", chat.User(s.cycle.Name), answered, least)
	}
	return ""
}

// RetroClosing says when answering a cycle's retrospective closes (or
// closed), in loc: "on Fri Jan 1 at 13:00 CET", or "when the cycle was
// closed" for one closed before that.
func RetroClosing(c *okrcore.Cycle, now time.Time, loc *time.Location) string {
	if c.Closed && now.Before(c.RetroCloses()) {
		return "when the cycle was closed"
	}
	return c.RetroCloses().In(loc).Format("on Mon Jan 2 at 15:04 MST")
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

func bulletList(items []string) string {
	if len(items) == 0 {
		return "no answers"
	}
	var b strings.Builder
	for i, it := range items {
		line := "• " + chat.User(it) // a person's answer, on one line
		if b.Len()+len(line)+40 > retroSectionLimit {
			fmt.Fprintf(&b, "…and %d more", len(items)-i)
			break
		}
		b.WriteString(line + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func RetroSummaryMessage(s *retroSummary) chat.Message {
	head := fmt.Sprintf("Retrospective · %s · %s", chat.User(s.team.Name), chat.User(s.cycle.Name))
	who := fmt.Sprintf("%d of %s in %s answered. Ratings go from 1 (strongly disagree) to 5 (strongly agree).", s.Answered, Count(s.members, "person"), chat.User(s.team.Name))
	var ratings []string
	for i, st := range retroanswers.Statements {
		ratings = append(ratings, fmt.Sprintf("%s: *%s*", st, s.average(i)))
	}
	m := chat.Message{}
	m.Blocks = append(m.Blocks, chat.Header{Text: head}, chat.Section{Text: who}, chat.Section{Text: strings.Join(ratings, "\n")})
	text := []string{head, who, strings.Join(ratings, "\n")}
	for i, q := range retroanswers.Questions {
		body := "*" + q.Label + "*\n" + bulletList(s.texts[i])
		m.Blocks = append(m.Blocks, chat.Section{Text: body})
		text = append(text, body)
	}
	note := "Anonymous: answers are listed without names, in alphabetical order."
	m.Blocks = append(m.Blocks, chat.Context{Text: note})
	m.Text = strings.Join(append(text, note), "\n")
	return m
}

// gradeDetail is where a key result stands, a milestone as done or not.
func GradeDetail(k *okrcore.KeyResult) string {
	if k.Metric == okrcore.MetricMilestone {
		return chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit))
	}
	return KRDetail(k)
}

// formatGrade shows a grade with one decimal, or two when it has them
// (0.7, 1.0, 0.55).
func FormatGrade(s float64) string {
	t := strconv.FormatFloat(math.Round(s*100)/100, 'f', 2, 64)
	return strings.TrimSuffix(t, "0")
}

// GradingKRs lists the key results a person grades in a cycle: those they
// own, and those owned by a team they lead, in id order.
func GradingKRs(tx okrcore.Tx, ws string, user okrcore.ID, cycle okrcore.ID) ([]*okrcore.KeyResult, error) {
	return cycles.Owned(tx, ws, cycle, user)
}
