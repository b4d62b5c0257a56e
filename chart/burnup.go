package chart

import (
	"fmt"
	"strings"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Objective is one objective of a team's burn-up: its progress over the
// cycle so far, oldest first, and whether it is at risk (or off track).
type Objective struct {
	Title   string
	History []Point
	AtRisk  bool
}

// Burnup is a team's objectives over a cycle against the expected line, a
// straight one from 0 at Start to 100% at End; Now is the time the digest
// reads them at (no clock here).
type Burnup struct {
	Team       string
	Start, End time.Time
	Now        time.Time
	Objectives []Objective
	// Of names what the lines are, in the singular, when they are not
	// objectives: "key result" for a person's own chart.
	Of string
}

// noun is what n lines are, in words.
func (b Burnup) noun(n int) string {
	of := b.Of
	if of == "" {
		of = "objective"
	}
	return of + plural(n)
}

// last is the newest finite value of h, ok false when there is none.
func last(h []Point) (Point, bool) {
	for i := len(h) - 1; i >= 0; i-- {
		if finite(h[i].Value) {
			return h[i], true
		}
	}
	return Point{}, false
}

// xys is a history placed in weeks since start, NaNs left out and values
// clamped to 0..100% (above is the legend's room).
func xys(start time.Time, h []Point) plotter.XYs {
	out := make(plotter.XYs, 0, len(h))
	for _, pt := range h {
		if finite(pt.Value) {
			out = append(out, plotter.XY{X: weeksSince(start, pt.At), Y: min(max(pt.Value, 0), 1)})
		}
	}
	return out
}

// PNG draws the burn-up: one line per objective, the at-risk ones dashed
// and ended by a triangle (so colour is never the only sign), and the
// expected line in grey.
func (b Burnup) PNG() ([]byte, error) {
	p := newPlot(b.Team+": "+b.noun(2)+" against the expected line", "week of the cycle", "progress")
	percentAxis(p, 1+len(b.Objectives))
	p.X.Min, p.X.Max = 0, max(weeksSince(b.Start, b.End), 1)
	p.X.Tick.Marker = weekTicks{}
	exp, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: p.X.Max, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("draw expected line: %w", err)
	}
	exp.Color, exp.Width, exp.Dashes = grey, vg.Points(2), []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(exp)
	p.Legend.Add("expected", exp)
	for i, o := range b.Objectives {
		pts := xys(b.Start, o.History)
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("draw objective %q: %w", o.Title, err)
		}
		l.Color, l.Width = colour(i), vg.Points(3)
		label := o.Title
		if o.AtRisk {
			l.Dashes = []vg.Length{vg.Points(10), vg.Points(3)}
			label += " (at risk)"
			mark, err := plotter.NewScatter(pts[len(pts)-1:])
			if err != nil {
				return nil, fmt.Errorf("draw objective %q: %w", o.Title, err)
			}
			mark.Shape, mark.Color, mark.Radius = draw.PyramidGlyph{}, colour(i), vg.Points(7)
			p.Add(mark)
		}
		p.Add(l)
		p.Legend.Add(label, l)
	}
	return encode(p)
}

// Alt says in words what the burn-up shows: each objective's progress now
// against what was expected by now.
func (b Burnup) Alt() string {
	want := expectedAt(b.Start, b.End, b.Now)
	n := len(b.Objectives)
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d %s", b.Team, n, b.noun(n))
	for _, o := range b.Objectives {
		sb.WriteString("; ")
		sb.WriteString(o.Title)
		if o.AtRisk {
			sb.WriteString(", at risk,")
		}
		lp, ok := last(o.History)
		if !ok {
			sb.WriteString(" has no check-ins yet")
			continue
		}
		fmt.Fprintf(&sb, " is at %s, %s", pct(lp.Value), against(lp.Value, want))
	}
	sb.WriteString(".")
	return sb.String()
}

// against says how a progress compares with the expected one.
func against(v, want float64) string {
	d := points(v) - points(want)
	switch {
	case d < 0:
		return fmt.Sprintf("%d point%s behind its expected %s", -d, plural(-d), pct(want))
	case d > 0:
		return fmt.Sprintf("%d point%s ahead of its expected %s", d, plural(d), pct(want))
	}
	return fmt.Sprintf("on its expected %s", pct(want))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
