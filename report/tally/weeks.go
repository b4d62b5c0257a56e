package tally

import (
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Clock places instants in the weeks of a cycle as one person lives them:
// Monday to Sunday in their own time zone, the week their check-in nudge
// belongs to. The adoption report and the manager digest's chart both
// count a person's weeks by it, so that the two never disagree about the
// week a check-in near midnight is in.
type Clock struct {
	loc      *time.Location
	firstDay int       // the Monday of the cycle's first week, as a day number
	start    time.Time // that Monday at 00:00 in loc
}

// NewClock is the clock of c's weeks in loc.
func NewClock(c *okrcore.Cycle, loc *time.Location) Clock {
	// The cycle starts at midnight UTC of its first date; the person's
	// first week is the one holding that date on their calendar.
	y, m, d := c.Start.UTC().Date()
	first := okrcore.PeriodStart(okrcore.Weekly, time.Date(y, m, d, 12, 0, 0, 0, loc), loc)
	return Clock{loc: loc, firstDay: dayNumber(first), start: first}
}

// dayNumber is the number of the calendar day of t (in t's location).
func dayNumber(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Start is the Monday 00:00 the cycle's first week begins at.
func (a Clock) Start() time.Time { return a.start }

// Week is the index of the week holding t: 0 for the cycle's first, -1
// for the week before it.
func (a Clock) Week(t time.Time) int {
	d := dayNumber(okrcore.PeriodStart(okrcore.Weekly, t, a.loc)) - a.firstDay
	if d < 0 {
		return -((-d + 6) / 7)
	}
	return d / 7
}

// Bounds is week i as [from, to), from its Monday 00:00 to the next, by
// the calendar (a week with a clock change is not 168 hours).
func (a Clock) Bounds(i int) (from, to time.Time) {
	y, m, d := a.start.Date()
	return time.Date(y, m, d+7*i, 0, 0, 0, 0, a.loc), time.Date(y, m, d+7*(i+1), 0, 0, 0, 0, a.loc)
}

// Weeks says, for each of the first n weeks of clk, whether id wrote a
// check-in that counts in it; the last week ends at end (inclusive), the
// report's now. skip, when set, says of a week that it is not asked about
// (the person was away): false there, and not read.
func (r *Reader) Weeks(id okrcore.ID, clk Clock, n int, end time.Time, skip func(i int, from, to time.Time) bool) ([]bool, error) {
	out := make([]bool, n)
	for i := range n {
		from, to := clk.Bounds(i)
		if i == n-1 {
			to = end.Add(time.Nanosecond)
		}
		if skip != nil && skip(i, from, to) {
			continue
		}
		ok, err := r.CheckedInBetween(id, from, to)
		if err != nil {
			return nil, err
		}
		out[i] = ok
	}
	return out, nil
}
