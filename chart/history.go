package chart

import (
	"fmt"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// History is one key result's progress over the cycle, oldest first, as
// `/okr show KR…` shows it; Now is when it is read.
type History struct {
	Title      string
	Start, End time.Time
	Now        time.Time
	Points     []Point
}

// PNG draws the history as a line with a dot at each check-in, over the
// expected line in grey.
func (h History) PNG() ([]byte, error) {
	p := newPlot(h.Title, "week of the cycle", "progress")
	percentAxis(p, 2)
	p.X.Min, p.X.Max = 0, max(weeksSince(h.Start, h.End), 1)
	p.X.Tick.Marker = weekTicks{}
	exp, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: p.X.Max, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("draw expected line: %w", err)
	}
	exp.Color, exp.Width, exp.Dashes = grey, vg.Points(2), []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(exp)
	p.Legend.Add("expected", exp)
	if pts := xys(h.Start, h.Points); len(pts) > 0 {
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("draw history: %w", err)
		}
		l.Color, l.Width = colour(0), vg.Points(3)
		s.Color, s.Shape, s.Radius = colour(0), draw.CircleGlyph{}, vg.Points(4)
		p.Add(l, s)
		p.Legend.Add("progress", l, s)
	}
	return encode(p)
}

// Alt says in words what the history shows: how many check-ins, from what
// to what, and how that compares with what was expected by now.
func (h History) Alt() string {
	var vals []Point
	for _, pt := range h.Points {
		if finite(pt.Value) {
			vals = append(vals, pt)
		}
	}
	want := expectedAt(h.Start, h.End, h.Now)
	switch len(vals) {
	case 0:
		return fmt.Sprintf("%s: no check-ins yet; %s was expected by now.", h.Title, pct(want))
	case 1:
		v := vals[0]
		return fmt.Sprintf("%s: 1 check-in, %s on %s; %s.", h.Title, pct(v.Value), v.At.Format("2 Jan"), against(v.Value, want))
	}
	first, end := vals[0], vals[len(vals)-1]
	return fmt.Sprintf("%s: %d check-ins, from %s on %s to %s on %s; %s.", h.Title, len(vals),
		pct(first.Value), first.At.Format("2 Jan"), pct(end.Value), end.At.Format("2 Jan"), against(end.Value, want))
}
