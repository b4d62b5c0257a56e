package vivagoals

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

// chunk is how many check-ins one block of the list holds; growing the
// list by blocks never copies what it holds, which at a million check-ins
// is the difference of a few hundred megabytes.
const chunk = 1 << 15

const checkInWord = "check-in "

// checkIn reads one entry of checkins.
func (rd *reader) checkIn(ci rawCheckIn) {
	var key transfer.Key
	var record string
	if ci.ID != "" {
		// The key shares the record's bytes: one string a check-in.
		record = checkInWord + string(ci.ID)
		key = transfer.Key(record[len(checkInWord):])
	} else {
		record = "a check-in of OKR " + string(ci.OKR)
	}
	i, ok := rd.items[transfer.Key(ci.OKR)]
	if !ok || ci.OKR == "" {
		c := rd.tally.orphanCheckIns[transfer.Key(ci.OKR)]
		if c == nil {
			c = &counted{}
			rd.tally.orphanCheckIns[transfer.Key(ci.OKR)] = c
		}
		c.add(record)
		return
	}
	it, p := &rd.prog.Items[i], &rd.pend[i]
	switch it.Kind {
	case transfer.ItemObjective:
		rd.tally.objectiveCheckIns[i]++
		return
	case transfer.ItemInitiative:
		rd.tally.itemCheckIns[i]++
		return
	}
	at, ok := parseTime(ci.Date)
	if !ok {
		at, ok = parseTime(ci.Activity)
	}
	if !ok {
		rd.tally.noDate.add(record)
		return
	}
	if key != "" {
		if _, dup := rd.seenCheck[key]; dup {
			rd.tally.duplicateCheckIns.add(record)
			return
		}
		rd.seenCheck[key] = struct{}{}
	}
	st := readStatus(ci.Status)
	if !st.known {
		s := strings.TrimSpace(ci.Status)
		c := rd.tally.checkInStatus[s]
		if c == nil {
			c = &counted{}
			rd.tally.checkInStatus[s] = c
		}
		c.add(record)
	}
	c := transfer.CheckIn{Key: key, Item: it.Key, At: at, Status: st.status, Record: record}
	c.Author = rd.personFor(ci.Owner, record, "author")
	if ci.Value.OK {
		c.Value, c.HasValue = ci.Value.V, true
		if it.Metric == okrcore.MetricMilestone {
			c.Value = 0
			if ci.Value.V >= 1 {
				c.Value = 1
			}
		}
		if !p.hasLatest || !at.Before(p.latestAt) {
			p.latestAt, p.latestVal, p.hasLatest = at, c.Value, true
		}
	}
	c.Note = strings.TrimSpace(ci.Note.Text)
	if c.Note == "" && strings.TrimSpace(ci.Note.HTML) != "" {
		c.Note = htmlText(ci.Note.HTML)
	}
	rd.saw(at)
	if n := len(rd.checkIns); n == 0 || len(rd.checkIns[n-1]) == chunk {
		rd.checkIns = append(rd.checkIns, make([]transfer.CheckIn, 0, chunk))
	}
	last := &rd.checkIns[len(rd.checkIns)-1]
	*last = append(*last, c)
}

// finish settles what needs the whole export: team parents, which periods
// are closed, scores, current values; it gathers the check-ins into one
// list and adds the warnings counted along the way.
func (rd *reader) finish() *transfer.Programme {
	rd.resolveTeams()
	closed := rd.closeCycles()
	for i := range rd.prog.Items {
		rd.score(i, closed)
		it, p := &rd.prog.Items[i], &rd.pend[i]
		if it.Kind == transfer.ItemKeyResult && p.hasLatest {
			it.Current = p.latestVal
		}
		if p.status.closed && (it.Cycle == "" || !closed[rd.cycles[it.Cycle]]) && it.Status != okrcore.StatusDone {
			rd.warn(it.Record, "Its status is Closed, but its period is not; okrbot closes periods, not single OKRs, so it is imported with no status.")
		}
	}
	n := 0
	for _, c := range rd.checkIns {
		n += len(c)
	}
	all := make([]transfer.CheckIn, 0, n)
	for i, c := range rd.checkIns {
		all = append(all, c...)
		rd.checkIns[i] = nil
	}
	rd.prog.CheckIns = all
	rd.tallyWarnings()
	return rd.prog
}

// closeCycles marks closed each period that has ended (before the latest
// day the export mentions) with every objective and key result in it
// scored or closed.
func (rd *reader) closeCycles() []bool {
	cycles := rd.prog.Cycles
	total, settled := make([]int, len(cycles)), make([]int, len(cycles))
	for i, it := range rd.prog.Items {
		c, ok := rd.cycles[it.Cycle]
		if !ok || it.Cycle == "" || it.Kind == transfer.ItemInitiative {
			continue
		}
		total[c]++
		if p := rd.pend[i]; p.status.closed || p.score.OK && p.score.V > 0 && p.score.V <= 1 {
			settled[c]++
		}
	}
	closed := make([]bool, len(cycles))
	for c := range cycles {
		ended := rd.latest.IsZero() || !cycles[c].End.After(rd.latest)
		closed[c] = ended && total[c] > 0 && settled[c] == total[c]
		cycles[c].Closed = closed[c]
	}
	return closed
}

// score keeps item i's score when it is a grade: Viva Goals writes 0 for
// an OKR nobody scored, so a 0 counts only in a closed period or on a
// closed OKR.
func (rd *reader) score(i int, closed []bool) {
	it, p := &rd.prog.Items[i], &rd.pend[i]
	if !p.score.OK || it.Kind == transfer.ItemInitiative {
		return
	}
	s := p.score.V
	if s < 0 || s > 1 {
		rd.warn(it.Record, "Its score, %s, is outside 0 to 1, so it is left out.", trimNumber(s))
		return
	}
	c, ok := rd.cycles[it.Cycle]
	if s == 0 && !p.status.closed && !(ok && it.Cycle != "" && closed[c]) {
		return
	}
	it.Score = &s
}

// tallyWarnings adds the warnings counted for the whole export, in a fixed
// order.
func (rd *reader) tallyWarnings() {
	t := &rd.tally
	leftOut := func(n int, what string) {
		if n > 0 {
			rd.warn("", "%s okrbot has no place for it, so it is left out.", fmt.Sprintf(what, n))
		}
	}
	leftOut(t.goalTypes, "%d OKRs have a Goal Type (committed or aspirational);")
	leftOut(t.descriptions, "%d OKRs have a description;")
	leftOut(t.teamTypes, "%d teams have a Team Type;")
	leftOut(t.teamDescriptions, "%d teams have a description;")
	for _, i := range slices.Sorted(maps.Keys(t.objectiveCheckIns)) {
		rd.warn(rd.prog.Items[i].Record, "It has %s; okrbot keeps check-ins of key results, and an objective's progress comes from them, so these are left out.", plural(t.objectiveCheckIns[i], "check-in"))
	}
	for _, i := range slices.Sorted(maps.Keys(t.itemCheckIns)) {
		rd.warn(rd.prog.Items[i].Record, "It has %s; an initiative in okrbot is done or not, without a history, so these are left out and whether it is done is kept.", plural(t.itemCheckIns[i], "check-in"))
	}
	for _, k := range slices.SortedFunc(maps.Keys(t.orphanCheckIns), cmp.Compare) {
		c := t.orphanCheckIns[k]
		rd.warn("OKR "+string(k), "%s (the first, %s) belong to this OKR, which is not among the export's objectives, so they are left out.", plural(c.n, "check-in"), c.first)
	}
	for _, s := range slices.Sorted(maps.Keys(t.checkInStatus)) {
		c := t.checkInStatus[s]
		rd.warn(c.first, "%s (this one the first) have the status %s, which has no equivalent in okrbot, so they are imported with no status.", plural(c.n, "check-in"), quote(s))
	}
	if c := t.noDate; c.n > 0 {
		rd.warn(c.first, "%s (this one the first) have no readable date, so they are left out.", plural(c.n, "check-in"))
	}
	if c := t.duplicateCheckIns; c.n > 0 {
		rd.warn(c.first, "%s (this one the first) have the ID of an earlier check-in, so only the earlier one of each is imported.", plural(c.n, "check-in"))
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
