package chart

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Lowest is how many teams the adoption chart draws a line for: the ones
// with the lowest rate in the last week, which a manager looks at; every
// team counts in the bars.
const Lowest = 5

// TeamWeeks is one team's weekly check-ins: Asked[i] people were nudged in
// week i and Answered[i] of them checked in.
type TeamWeeks struct {
	Name     string
	Asked    []int
	Answered []int
}

// Adoption is the weekly check-in rate per team over a cycle; Weeks are
// the Mondays the counts begin, oldest first.
type Adoption struct {
	Title string
	Weeks []time.Time
	Teams []TeamWeeks
}

// rate is answered over asked in week i, ok false when nobody was asked.
func (t TeamWeeks) rate(i int) (float64, bool) {
	if i >= len(t.Asked) || i >= len(t.Answered) || t.Asked[i] <= 0 {
		return 0, false
	}
	return float64(min(t.Answered[i], t.Asked[i])) / float64(t.Asked[i]), true
}

// overall is everyone's rate per week, every team's people counted once.
func (a Adoption) overall() []float64 {
	out := make([]float64, len(a.Weeks))
	for i := range a.Weeks {
		var asked, answered int
		for _, t := range a.Teams {
			if i < len(t.Asked) && i < len(t.Answered) && t.Asked[i] > 0 {
				asked += t.Asked[i]
				answered += min(t.Answered[i], t.Asked[i])
			}
		}
		if asked > 0 {
			out[i] = float64(answered) / float64(asked)
		}
	}
	return out
}

// lowest are the indexes of the n teams with the lowest rate in the last
// week, lowest first, ties by name; teams nobody was asked in are left out.
func (a Adoption) lowest(n int) []int {
	if len(a.Weeks) == 0 {
		return nil
	}
	w := len(a.Weeks) - 1
	var idx []int
	for i, t := range a.Teams {
		if _, ok := t.rate(w); ok {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(x, y int) int {
		rx, _ := a.Teams[x].rate(w)
		ry, _ := a.Teams[y].rate(w)
		if rx != ry {
			if rx < ry {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Teams[x].Name, a.Teams[y].Name)
	})
	return idx[:min(n, len(idx))]
}

// PNG draws everyone's weekly rate as bars and the Lowest teams of the
// last week as lines over them.
func (a Adoption) PNG() ([]byte, error) {
	p := newPlot(a.Title, "week", "people who checked in")
	low := a.lowest(Lowest)
	percentAxis(p, 1+len(low))
	p.X.Tick.Marker = weekTicks{}
	all := a.overall()
	if len(all) > 0 {
		bars, err := plotter.NewBarChart(plotter.Values(all), vg.Points(max(4, 420/float64(len(all)))))
		if err != nil {
			return nil, fmt.Errorf("draw bars: %w", err)
		}
		bars.Color, bars.LineStyle.Width = palette[5], 0
		bars.XMin = 1
		p.Add(bars)
		p.Legend.Add("everyone", bars)
	}
	for k, ti := range low {
		t := a.Teams[ti]
		var pts plotter.XYs
		for i := range a.Weeks {
			if r, ok := t.rate(i); ok {
				pts = append(pts, plotter.XY{X: float64(i + 1), Y: r})
			}
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("draw team %q: %w", t.Name, err)
		}
		c := colour(k)
		l.Color, l.Width, s.Color, s.Radius = c, vg.Points(2.5), c, vg.Points(3.5)
		p.Add(l, s)
		p.Legend.Add(t.Name, l, s)
	}
	p.X.Min, p.X.Max = 0.5, float64(max(len(a.Weeks), 1))+0.5
	return encode(p)
}

// Alt says in words what the adoption chart shows: everyone's rate in the
// last week against the first, and the lowest teams of the last week.
func (a Adoption) Alt() string {
	n, w := len(a.Teams), len(a.Weeks)
	if w == 0 {
		return fmt.Sprintf("%s: no weeks to show yet.", a.Title)
	}
	all := a.overall()
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s team%s over %d week%s; %s of people checked in in the last week", a.Title,
		thousands(n), plural(n), w, plural(w), pct(all[w-1]))
	if w > 1 {
		fmt.Fprintf(&sb, " (%s in the first)", pct(all[0]))
	}
	if low := a.lowest(Lowest); len(low) > 0 {
		sb.WriteString("; lowest last week: ")
		for k, ti := range low {
			if k > 0 {
				sb.WriteString(", ")
			}
			r, _ := a.Teams[ti].rate(w - 1)
			fmt.Fprintf(&sb, "%s %s", a.Teams[ti].Name, pct(r))
		}
	}
	sb.WriteString(".")
	return sb.String()
}

// thousands writes n with a comma between thousands ("2,000").
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
