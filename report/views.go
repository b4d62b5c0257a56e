package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report/cycleview"
)

// maxFormKRs keeps a check-in form within the platforms' limits (a Slack
// modal holds 100 blocks, and three inputs per key result is plenty).
const MaxFormKRs = 12

// namer resolves owner ids to names within one transaction, caching them.
type Namer struct {
	tx    okrcore.Tx
	ws    string
	users map[okrcore.ID]string
	teams map[okrcore.ID]string
}

func NewNamer(tx okrcore.Tx, ws string) *Namer {
	return &Namer{tx: tx, ws: ws, users: map[okrcore.ID]string{}, teams: map[okrcore.ID]string{}}
}

func (n *Namer) User(id okrcore.ID) string {
	if s, ok := n.users[id]; ok {
		return s
	}
	s := "someone"
	if u, err := n.tx.User(n.ws, id); err == nil {
		s = chat.User(u.Name)
	}
	n.users[id] = s
	return s
}

func (n *Namer) Team(id okrcore.ID) string {
	if s, ok := n.teams[id]; ok {
		return s
	}
	s := "a team"
	if t, err := n.tx.Team(n.ws, id); err == nil {
		s = chat.User(t.Name)
	}
	n.teams[id] = s
	return s
}

func (n *Namer) Owner(o okrcore.Owner) string {
	if o.Kind == okrcore.OwnerTeam {
		return "team " + n.Team(o.ID)
	}
	return n.User(o.ID)
}

// KRDetail says where a key result stands against its target, in its
// unit (a person's text, escaped).
func KRDetail(k *okrcore.KeyResult) string {
	if k.Metric == okrcore.MetricMilestone {
		return "milestone"
	}
	cur, target := chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit)), chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit))
	if k.Direction == okrcore.Decrease {
		return cur + ", target " + target
	}
	return cur + " of " + target
}

// KRBar is a key result's bar as r reads it, with what a person said about
// it when progress says otherwise (Reading.Note).
func KRBar(k *okrcore.KeyResult, r *Reading, indent int) chat.ProgressBar {
	st := r.KR(k)
	d := KRDetail(k) + " · " + r.Owner(k.Owner)
	if k.Confidence != nil {
		d += fmt.Sprintf(" · confidence %d/10", *k.Confidence)
	}
	return chat.ProgressBar{Ref: k.Ref().String(), Label: chat.User(k.Title), Progress: k.Progress, Status: st.Status, StatusNote: r.Note(st), Detail: d, Indent: indent}
}

// ObjBar is an objective's bar as r reads it.
func ObjBar(o *okrcore.Objective, r *Reading, indent int) chat.ProgressBar {
	return chat.ProgressBar{Ref: o.Ref().String(), Label: chat.User(o.Title), Progress: o.Progress, Status: r.Objective(o).Status, Detail: r.Owner(o.Owner), Indent: indent}
}

// CycleLine says where we are in the cycle.
func CycleLine(c *okrcore.Cycle, now time.Time) string { return cycleview.Line(c, now) }

// findTeam resolves a team by name or T-id.
func FindTeam(tx okrcore.Tx, ws, name string) (*okrcore.Team, error) {
	name = strings.TrimSpace(strings.TrimPrefix(name, "#"))
	if r, ok := okrcore.ParseRef(name); ok && r.Kind == okrcore.RefTeam {
		t, err := tx.Team(ws, r.ID)
		if okrcore.IsNotFound(err) {
			return nil, okrcore.Errorf(okrcore.KindNotFound, "There is no %s. `/okr teams` lists them.", r)
		}
		return t, err
	}
	t, err := tx.TeamByName(ws, name)
	if okrcore.IsNotFound(err) {
		if id, ok := IDShaped(name); ok {
			return nil, okrcore.Errorf(okrcore.KindNotFound, "There is no %s. `/okr teams` lists them.", id)
		}
		return nil, okrcore.Errorf(okrcore.KindNotFound, "There is no team called %q. `/okr teams` lists them.", name)
	}
	return t, err
}

// checkinTargets lists the key results a person checks in on: those they
// own in the current cycle, and those of objectives they own.
func CheckinTargets(tx okrcore.Tx, ws string, user okrcore.ID) (*okrcore.Cycle, []*okrcore.KeyResult, error) {
	cs, err := okrcore.CurrentCycles(tx, ws)
	if err != nil {
		return nil, nil, err
	}
	// c is the first open current cycle, else the first: whose name a
	// nudge or form gives; the key results are those of every open one.
	c := cs[0]
	var out []*okrcore.KeyResult
	seen := map[okrcore.ID]bool{}
	for _, cy := range cs {
		if c.Closed && !cy.Closed {
			c = cy
		}
		if cy.Closed {
			continue
		}
		objs, krsByObj, err := OwnedOKRs(tx, ws, user, cy.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range objs {
			for _, k := range krsByObj[o.ID] {
				if seen[k.ID] || (k.Owner.Kind == okrcore.OwnerUser && k.Owner.ID != user && o.Owner != okrcore.UserOwner(user)) {
					continue
				}
				seen[k.ID] = true
				out = append(out, k)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return c, out, nil
}

// CheckinForm is the check-in form for krs; each value's hint says where
// the key result stands as r reads it.
func CheckinForm(r *Reading, c *okrcore.Cycle, krs []*okrcore.KeyResult) *chat.Form {
	if len(krs) > MaxFormKRs {
		krs = krs[:MaxFormKRs]
	}
	f := &chat.Form{ID: "checkin", Title: "Check-in · " + chat.User(c.Name), Submit: "Check in"}
	var ids []string
	// "Keep as is" is the empty value; adapters whose platform refuses an
	// empty choice value stand in for it and read it back as empty.
	statusOpts := []chat.Option{{Label: "Keep as is", Value: ""}, {Label: "On track", Value: string(okrcore.StatusOnTrack)}, {Label: "At risk", Value: string(okrcore.StatusAtRisk)}, {Label: "Off track", Value: string(okrcore.StatusOffTrack)}}
	for _, k := range krs {
		ref := k.Ref().String()
		ids = append(ids, ref)
		in := chat.Input{ID: ref + ".value", Label: fmt.Sprintf("%s %s", ref, chat.User(k.Title)), Kind: chat.InputNumber,
			Initial: strconv.FormatFloat(k.Current, 'f', -1, 64), Optional: true,
			Hint: fmt.Sprintf("Now %s, target %s · %s", chat.User(okrcore.FormatValue(k.Current, k.Metric, k.Unit)), chat.User(okrcore.FormatValue(k.Target, k.Metric, k.Unit)), r.Label(r.KR(k)))}
		if k.Metric == okrcore.MetricMilestone {
			in.Kind = chat.InputSelect
			in.Options = []chat.Option{{Label: "Not done", Value: "not done"}, {Label: "Done", Value: "done"}}
			in.Initial = map[bool]string{true: "done", false: "not done"}[k.Current >= 1]
		}
		f.Inputs = append(f.Inputs, in,
			chat.Input{ID: ref + ".status", Label: ref + " status", Kind: chat.InputSelect, Options: statusOpts, Optional: true},
			chat.Input{ID: ref + ".note", Label: ref + " note", Kind: chat.InputText, Optional: true, Placeholder: "What moved it?"})
	}
	f.Inputs = append(f.Inputs,
		chat.Input{ID: "confidence", Label: "Confidence (0–10)", Kind: chat.InputNumber, Optional: true, Placeholder: "7"},
		chat.Input{ID: "blockers", Label: "Blockers", Kind: chat.InputMultiline, Optional: true, Placeholder: "Anything in your way?"})
	f.State = strings.Join(ids, ",")
	return f
}

// usageError is a sentence for the person about how they asked for a
// report (a team that does not exist, a cycle that has not started). The
// conversation shows it as it is, as it does its own usage errors.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

// Usage is the sentence to show.
func (u *usageError) Usage() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func ChannelRefKey(id string) string { return "convref:" + id }

// ownedOKRs returns the objectives a user owns or holds a key result in, in
// id order, with the key results to show under each.
func OwnedOKRs(tx okrcore.Tx, ws string, user, cycle okrcore.ID) ([]*okrcore.Objective, map[okrcore.ID][]*okrcore.KeyResult, error) {
	owned, err := tx.ObjectivesByOwner(ws, okrcore.UserOwner(user), cycle)
	if err != nil {
		return nil, nil, err
	}
	krs := map[okrcore.ID][]*okrcore.KeyResult{}
	seen := map[okrcore.ID]bool{}
	for _, o := range owned {
		seen[o.ID] = true
		ks, err := tx.KeyResultsByObjective(ws, o.ID)
		if err != nil {
			return nil, nil, err
		}
		krs[o.ID] = ks
	}
	mineKRs, err := tx.KeyResultsByOwner(ws, okrcore.UserOwner(user), cycle)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range mineKRs {
		if seen[k.Objective] {
			continue
		}
		o, err := tx.Objective(ws, k.Objective)
		if err != nil {
			return nil, nil, err
		}
		if _, ok := krs[o.ID]; !ok {
			owned = append(owned, o)
		}
		krs[o.ID] = append(krs[o.ID], k)
	}
	sort.Slice(owned, func(i, j int) bool { return owned[i].ID < owned[j].ID })
	return owned, krs, nil
}
