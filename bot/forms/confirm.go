package forms

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report"
)

// Confirmation says what was recorded and what it did to the objectives
// above: the person sees the effect of their check-in at once.
func Confirmation(n *report.Reading, results []*okrcore.CheckInResult) chat.Message {
	m := chat.Message{}
	var lines []string
	objs := map[okrcore.ID]*okrcore.Objective{}
	prev := map[okrcore.ID]float64{}
	var order []okrcore.ID
	for _, r := range results {
		if r.KPI != nil {
			line := fmt.Sprintf("%s %s: %s", r.KPI.Ref(), chat.User(r.KPI.Title), value(r.KPI.Current, okrcore.MetricNumber, r.KPI.Unit))
			if !r.KPI.Healthy() {
				line += " (outside its healthy range)"
			}
			lines = append(lines, line)
			continue
		}
		b, a := r.Before, r.After
		line := fmt.Sprintf("%s %s: %s", a.Ref(), chat.User(a.Title), value(a.Current, a.Metric, a.Unit))
		if b.Current != a.Current {
			line = fmt.Sprintf("%s %s: %s → %s (%s → %s)", a.Ref(), chat.User(a.Title), value(b.Current, b.Metric, b.Unit),
				value(a.Current, a.Metric, a.Unit), okrcore.Percent(b.Progress), okrcore.Percent(a.Progress))
		} else {
			line += " (no change)"
		}
		line += ", " + n.Label(n.KR(a))
		if r.CheckIn.Confidence != nil {
			line += fmt.Sprintf(", confidence %d/10", *r.CheckIn.Confidence)
		}
		lines = append(lines, line)
		for _, o := range r.Objectives {
			if _, ok := objs[o.ID]; !ok {
				order = append(order, o.ID)
				prev[o.ID] = r.PreviousProgress[o.ID]
			}
			objs[o.ID] = o
		}
		m.Blocks = append(m.Blocks, report.KRBar(a, n, 0))
	}
	var up []string
	for _, id := range order {
		o := objs[id]
		up = append(up, fmt.Sprintf("%s %s: %s → %s", o.Ref(), chat.User(o.Title), okrcore.Percent(prev[id]), okrcore.Percent(o.Progress)))
	}
	head := "Checked in ✓"
	m.Text = head + "\n" + strings.Join(lines, "\n")
	if len(up) > 0 {
		m.Text += "\nRolled up: " + strings.Join(up, "; ")
	}
	blocks := []chat.Block{chat.Section{Text: "*" + head + "*\n" + strings.Join(lines, "\n")}}
	if len(results) > 0 && results[0].CheckIn.Blockers != "" {
		blocks = append(blocks, chat.Section{Text: "Blocked: " + chat.User(results[0].CheckIn.Blockers)})
		m.Text += "\nBlocked: " + chat.User(results[0].CheckIn.Blockers)
	}
	if len(up) > 0 {
		blocks = append(blocks, chat.Context{Text: "Rolled up: " + strings.Join(up, "; ")})
	}
	m.Blocks = append(blocks, chat.Actions{Buttons: []chat.Button{{Label: "Undo", Value: "undo", Style: chat.StyleDanger}, {Label: "My OKRs", Value: "mine"}}})
	m.HomeChanged = true
	return m
}

// value is a value as a person's text: its unit is theirs.
func value(v float64, metric okrcore.MetricKind, unit string) string {
	return chat.User(okrcore.FormatValue(v, metric, unit))
}
