// Package coach writes what the rules' minimums say (okrcore/minimums):
// the word to an owner whose objective has been short of key results for
// a day, and a team's planning digest at a cycle's start. Both read the
// store as it is when they are sent, so nothing already mended is said.
package coach

import (
	"fmt"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/minimums"
)

// maxLines bounds each list of the planning digest (a section holds 3,000
// characters on Slack).
const maxLines = 12

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// FewKeyResults is the word to the owner of objective ref ("O12") that it
// has been short of key results for a day; skip says why it is not sent
// when the objective is gone, has its key results now, or its cycle is
// over.
func FewKeyResults(tx okrcore.Tx, w *okrcore.Workspace, ref string, now time.Time) (m chat.Message, skip string, err error) {
	r, ok := okrcore.ParseRef(ref)
	if !ok || r.Kind != okrcore.RefObjective {
		return m, "", fmt.Errorf("few key results: %q is not an objective", ref)
	}
	o, err := tx.Objective(w.ID, r.ID)
	if okrcore.IsNotFound(err) {
		return m, "the objective is gone", nil
	}
	if err != nil {
		return m, "", err
	}
	krs, err := tx.KeyResultsByObjective(w.ID, o.ID)
	if err != nil {
		return m, "", err
	}
	rules := w.Rules.OrDefault()
	if len(krs) >= rules.MinKeyResults {
		return m, "it has its key results now", nil
	}
	if c, err := tx.Cycle(w.ID, o.Cycle); err != nil || c.Closed || !now.Before(c.End) {
		return m, "its cycle is over", nil
	}
	text := fmt.Sprintf("%s *%s* has %s, a day after it was written. The rules here ask for %d–%d key results per objective: what would show, in numbers, that it is achieved? Add one with `/okr new kr %s \"Measure\" from 0 to 10`.",
		ref, chat.User(o.Title), count(len(krs), "key result", "key results"), rules.MinKeyResults, rules.MaxKeyResults, ref)
	return chat.Message{Text: text, Blocks: []chat.Block{chat.Section{Text: text}, chat.Actions{Buttons: []chat.Button{{Label: "Show " + ref, Value: "show " + ref}}}}}, "", nil
}

// Planning is team t's planning digest for cycle c: who of the team and
// its people is short of the rules' minimums, and which objectives; skip
// says why it is not sent when the cycle is closed already.
func Planning(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, c *okrcore.Cycle) (m chat.Message, skip string, err error) {
	if c.Closed {
		return m, "the cycle is closed", nil
	}
	owners := []okrcore.Owner{okrcore.TeamOwner(t.ID)}
	for _, id := range append([]okrcore.ID{t.Lead}, t.Members...) {
		if id != 0 {
			owners = append(owners, okrcore.UserOwner(id))
		}
	}
	var objs []*okrcore.Objective
	krs := map[okrcore.ID]int{}
	seen := map[okrcore.Owner]bool{}
	for _, ow := range owners {
		if seen[ow] {
			continue
		}
		seen[ow] = true
		os, err := tx.ObjectivesByOwner(w.ID, ow, c.ID)
		if err != nil {
			return m, "", err
		}
		for _, o := range os {
			ks, err := tx.KeyResultsByObjective(w.ID, o.ID)
			if err != nil {
				return m, "", err
			}
			objs, krs[o.ID] = append(objs, o), len(ks)
		}
	}
	return planningMessage(tx, w.ID, t, c, minimums.Planning(owners, objs, krs, w.Rules)), "", nil
}

func planningMessage(tx okrcore.Tx, ws string, t *okrcore.Team, c *okrcore.Cycle, p minimums.Plan) chat.Message {
	r := p.Rules
	team, cycle := chat.User(t.Name), chat.User(c.Name)
	rules := fmt.Sprintf("%d–%d objectives per owner and %d–%d key results per objective", r.MinObjectives, r.MaxObjectives, r.MinKeyResults, r.MaxKeyResults)
	var text string
	switch {
	case p.Objectives == 0:
		text = fmt.Sprintf("Nobody in %s has objectives for %s yet. The rules here ask for %s; `/okr new objective \"Your objective\"` starts one.", team, cycle, rules)
	case !p.Short():
		text = fmt.Sprintf("The %s of team %s for %s are within the rules (%s).", count(p.Objectives, "objective", "objectives"), team, cycle, rules)
	default:
		text = fmt.Sprintf("The rules here ask for %s. A few of the OKRs of team %s for %s are still short of that:", rules, team, cycle)
	}
	title := "Planning " + cycle + " · team " + team
	m := chat.Message{Text: title + ": " + text, Blocks: []chat.Block{chat.Header{Text: title}, chat.Section{Text: text}}}
	var few []string
	for _, oc := range p.FewObjectives {
		few = append(few, fmt.Sprintf("• %s: %s", ownerName(tx, ws, oc.Owner), count(oc.Objectives, "objective", "objectives")))
	}
	m.Blocks = appendList(m.Blocks, "*Fewer than "+count(r.MinObjectives, "objective", "objectives")+"*", few, team)
	few = nil
	for _, oc := range p.FewKeyResults {
		o := oc.Objective
		few = append(few, fmt.Sprintf("• %s %s (%s): %s", o.Ref(), chat.User(o.Title), ownerName(tx, ws, o.Owner), count(oc.KeyResults, "key result", "key results")))
	}
	m.Blocks = appendList(m.Blocks, "*Fewer than "+count(r.MinKeyResults, "key result", "key results")+"*", few, team)
	m.Blocks = append(m.Blocks, chat.Actions{Buttons: []chat.Button{{Label: "Team OKRs", Value: "team " + t.Name}}})
	return m
}

// appendList adds a titled list of at most maxLines lines, pointing to
// the team's view for the rest.
func appendList(bs []chat.Block, title string, lines []string, team string) []chat.Block {
	if len(lines) == 0 {
		return bs
	}
	if len(lines) > maxLines {
		lines = append(lines[:maxLines-1], fmt.Sprintf("…and %d more: `/okr team %s` shows them all.", len(lines)-maxLines+1, team))
	}
	return append(bs, chat.Section{Text: title + "\n" + strings.Join(lines, "\n")})
}

func ownerName(tx okrcore.Tx, ws string, o okrcore.Owner) string {
	if o.Kind == okrcore.OwnerTeam {
		if t, err := tx.Team(ws, o.ID); err == nil {
			return "team " + chat.User(t.Name)
		}
		return "a team"
	}
	if u, err := tx.User(ws, o.ID); err == nil {
		return chat.User(u.Name)
	}
	return "someone"
}
