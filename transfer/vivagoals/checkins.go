package vivagoals

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
)

const checkInWord = "check-in "

// checkIn reads one entry of checkins: the first time, counting it and
// what is warned of it; when the check-ins are read again (rd.emit set),
// handing it on. It returns false when emit says to stop.
func (rd *reader) checkIn(c *rawCheck) bool {
	first := rd.emit == nil
	var key transfer.Key
	var record string
	if len(c.ID) > 0 {
		// The key shares the record's bytes: one string a check-in.
		record = checkInWord + string(c.ID)
		key = transfer.Key(record[len(checkInWord):])
	} else {
		record = "a check-in of OKR " + string(c.OKR)
	}
	i, ok := rd.items[transfer.Key(c.OKR)]
	if (!ok || len(c.OKR) == 0) && !first {
		return true
	}
	if !ok || len(c.OKR) == 0 {
		k := transfer.Key(c.OKR)
		t := rd.tally.orphanCheckIns[k]
		if t == nil {
			t = &counted{}
			rd.tally.orphanCheckIns[k] = t
		}
		t.add(record)
		return true
	}
	it, p := &rd.prog.Items[i], &rd.pend[i]
	switch it.Kind {
	case transfer.ItemObjective:
		if first {
			rd.tally.objectiveCheckIns[i]++
		}
		return true
	case transfer.ItemInitiative:
		if first {
			rd.tally.itemCheckIns[i]++
		}
		return true
	}
	at, ok := timeOf(c.Date)
	if !ok {
		at, ok = timeOf(c.Activity)
	}
	if !ok {
		if first {
			rd.tally.noDate.add(record)
		}
		return true
	}
	if rd.duplicate(key) {
		if first {
			rd.tally.duplicateCheckIns.add(record)
		}
		return true
	}
	st := statusOf(c.Status)
	if !st.known && first {
		s := strings.TrimSpace(string(c.Status))
		t := rd.tally.checkInStatus[s]
		if t == nil {
			t = &counted{}
			rd.tally.checkInStatus[s] = t
		}
		t.add(record)
	}
	ci := transfer.CheckIn{Key: key, Item: it.Key, At: at, Status: st.status, Record: record}
	ci.Author = rd.authorOf(c.Owner, record)
	if c.Value.OK {
		ci.Value, ci.HasValue = c.Value.V, true
		if it.Metric == okrcore.MetricMilestone {
			ci.Value = 0
			if c.Value.V >= 1 {
				ci.Value = 1
			}
		}
		if first && (!p.hasLatest || !at.Before(p.latestAt)) {
			p.latestAt, p.latestVal, p.hasLatest = at, ci.Value, true
		}
	}
	if n := bytes.TrimSpace(c.Note); len(n) > 0 {
		ci.Note = string(n)
	} else if len(bytes.TrimSpace(c.HTML)) > 0 {
		ci.Note = htmlText(string(c.HTML))
	}
	if !first {
		rd.ci = ci
		return rd.emit(&rd.ci)
	}
	rd.saw(at)
	rd.kept++
	return true
}

// duplicate reports whether a check-in of this key was read before.
func (rd *reader) duplicate(key transfer.Key) bool {
	if key == "" {
		return false
	}
	if !rd.unordered {
		// A number as it is written (no leading zero), so that the
		// set below can be made from the numbers.
		n, err := strconv.ParseUint(string(key), 10, 64)
		if err == nil && (key[0] != '0' || len(key) == 1) && (n > rd.lastID || len(rd.ordered) == 0) {
			rd.lastID = n
			rd.ordered = append(rd.ordered, n)
			return false
		}
		// Out of order: from now on every key goes into the set.
		rd.unordered = true
		for _, n := range rd.ordered {
			rd.seenCheck[transfer.Key(strconv.FormatUint(n, 10))] = struct{}{}
		}
		rd.ordered = nil
	}
	if _, dup := rd.seenCheck[key]; dup {
		return true
	}
	rd.seenCheck[key] = struct{}{}
	return false
}

// again readies the check-ins to be read again: every one is judged a
// duplicate or not as it was the first time.
func (rd *reader) again() {
	rd.lastID, rd.unordered, rd.ordered = 0, false, nil
	rd.seenCheck = map[transfer.Key]struct{}{}
}

// authorOf is the person a check-in names as its author; one found by ID
// costs no allocation.
func (rd *reader) authorOf(p rawPerson, record string) transfer.Key {
	if len(p.ID) > 0 {
		if i, ok := rd.people[transfer.Key(p.ID)]; ok {
			return rd.prog.People[i].Key
		}
	}
	return rd.personFor(person{ID: vid(p.ID), Name: string(p.Name), Email: string(p.Email)}, record, "author")
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
			rd.warn(it.Record, "its status is Closed, but its period is not; okrbot closes periods, not single OKRs, so it is imported with no status")
		}
	}
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
		if p := rd.pend[i]; p.status.closed || p.score.OK && p.score.V > 0 {
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
	leftOut := func(n int, what, of string) {
		if n > 0 {
			rd.warn("", "The %s of %s has no place in okrbot, so it is left out.", what, plural(n, of))
		}
	}
	leftOut(t.goalTypes, "Goal Type (committed or aspirational)", "OKR")
	leftOut(t.descriptions, "description", "OKR")
	leftOut(t.teamDescriptions, "description", "team")
	for _, i := range slices.Sorted(maps.Keys(t.objectiveCheckIns)) {
		rd.warn(rd.prog.Items[i].Record, "its check-ins (%d) are left out: okrbot keeps check-ins of key results, and an objective's progress comes from them", t.objectiveCheckIns[i])
	}
	for _, i := range slices.Sorted(maps.Keys(t.itemCheckIns)) {
		rd.warn(rd.prog.Items[i].Record, "its check-ins (%d) are left out: an initiative in okrbot is done or not, without a history; whether it is done is kept", t.itemCheckIns[i])
	}
	for _, k := range slices.SortedFunc(maps.Keys(t.orphanCheckIns), cmp.Compare) {
		c := t.orphanCheckIns[k]
		if k == "" {
			rd.warn(c.first, "check-ins that name no OKR (%d, this one the first) are left out", c.n)
			continue
		}
		rd.warn("OKR "+string(k), "check-ins of this OKR (%d, the first %s) are left out: it is not among the export's objectives", c.n, c.first)
	}
	for _, s := range slices.Sorted(maps.Keys(t.checkInStatus)) {
		c := t.checkInStatus[s]
		rd.warn(c.first, "check-ins with the status %s (%d, this one the first) are imported with no status: okrbot has no equivalent", quote(s), c.n)
	}
	if c := t.noDate; c.n > 0 {
		rd.warn(c.first, "check-ins without a readable date (%d, this one the first) are left out", c.n)
	}
	if c := t.duplicateCheckIns; c.n > 0 {
		rd.warn(c.first, "check-ins with the ID of an earlier one (%d, this one the first) are left out; the earlier one of each is imported", c.n)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
