package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chart"
	"github.com/okrbot/okrbot/chat"
	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
)

// The charts are drawn as SVG by html/template, in the Okabe-Ito palette
// (told apart with colour blindness): blue for what happened, orange for
// what was expected, bluish green for check-in rates.
const (
	chartW, chartH = 480, 160
	chartPad       = 24
)

// lineChart is a key result's progress over its cycle against the
// straight line it was expected to follow.
type lineChart struct {
	Alt       string
	Points    string // the polyline of progress at each check-in
	Expected  string // the expected line, from when the key result began to the cycle's end
	Now       float64
	Dots      []dot
	W, H, Pad int
	Bottom    int
}

type dot struct{ X, Y float64 }

// krChart draws the progress of k at each of its check-ins (oldest first),
// its words in the workspace's (words).
func krChart(ref string, k *okrcore.KeyResult, c *okrcore.Cycle, history []*okrcore.CheckIn, now time.Time, words wordpass.Pass) *lineChart {
	if c == nil || !c.End.After(c.Start) {
		return nil
	}
	span := float64(c.End.Sub(c.Start))
	x := func(t time.Time) float64 {
		f := float64(t.Sub(c.Start)) / span
		return chartPad + min(1, max(0, f))*float64(chartW-2*chartPad)
	}
	y := func(p float64) float64 {
		return float64(chartH-chartPad) - min(1, max(0, p))*float64(chartH-2*chartPad)
	}
	ch := &lineChart{W: chartW, H: chartH, Pad: chartPad, Bottom: chartH - chartPad, Now: x(now)}
	from := c.Start
	if k.CreatedAt.After(from) {
		from = k.CreatedAt
	}
	ch.Expected = fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(from), y(okrcore.ExpectedProgressSince(c, k.CreatedAt, from)), x(c.End), y(okrcore.ExpectedProgressSince(c, k.CreatedAt, c.End)))
	var pts []string
	first, last := 0.0, 0.0
	for i := len(history) - 1; i >= 0; i-- { // history is newest first
		ci := history[i]
		at := *k
		at.Current = ci.Value
		p := okrcore.KRProgress(&at)
		if len(pts) == 0 {
			prev := *k
			prev.Current = ci.Previous
			first = okrcore.KRProgress(&prev)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(from), y(first)))
		}
		last = p
		d := dot{x(ci.At), y(p)}
		ch.Dots = append(ch.Dots, d)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", d.X, d.Y))
	}
	ch.Points = strings.Join(pts, " ")
	expected := okrcore.ExpectedProgressSince(c, k.CreatedAt, now)
	if len(history) == 0 {
		ch.Alt = chat.PlainText(words.Text(fmt.Sprintf("Progress of %s: no check-ins yet; %s was expected by now.", ref, okrcore.Percent(expected))))
		return ch
	}
	ch.Alt = chat.PlainText(words.Text(fmt.Sprintf("Progress of %s over %s: from %s to %s in %s, against an expected %s by now.",
		ref, chat.User(c.Name), okrcore.Percent(first), okrcore.Percent(last), count(len(history), "check-in"), okrcore.Percent(expected))))
	return ch
}

// barChart is a team's weekly check-in rate.
type barChart struct {
	Alt       string
	Bars      []bar
	W, H, Pad int
	Bottom    int
}

type bar struct {
	X, Y, W, H float64
	Label      string // the week, under the bar
	Title      string // the bar's own text, for a pointer's hover
}

// weekRate is how many of a team's people checked in in one week.
type weekRate struct {
	Start    time.Time
	In, Of   int // Of: those not away
	Away     int
	Rate     float64
	RateText string
}

// rateChart draws weeks of team's check-in rate, its words in the
// workspace's (words): page data, which the templates' pass does not reach.
func rateChart(team string, weeks []weekRate, words wordpass.Pass) *barChart {
	if len(weeks) == 0 {
		return nil
	}
	ch := &barChart{W: chartW, H: chartH, Pad: chartPad, Bottom: chartH - chartPad}
	slot := float64(chartW-2*chartPad) / float64(len(weeks))
	var rates []string
	for i, w := range weeks {
		h := w.Rate * float64(chartH-2*chartPad)
		label := w.Start.Format("2 Jan")
		ch.Bars = append(ch.Bars, bar{X: chartPad + float64(i)*slot + slot*0.15, W: slot * 0.7, Y: float64(chartH-chartPad) - h, H: h,
			Label: label, Title: fmt.Sprintf("week of %s: %d of %d checked in%s", label, w.In, w.Of, awayWords(w.Away))})
		rates = append(rates, w.RateText)
	}
	last := weeks[len(weeks)-1]
	this := fmt.Sprintf("this week %d of %d people (%s)%s", last.In, last.Of, last.RateText, awayWords(last.Away))
	if last.Of == 0 {
		this = "this week everyone is away"
	}
	ch.Alt = chat.PlainText(words.Text(fmt.Sprintf("Weekly check-in rate of %s over %s: %s, %s.", chat.User(team), count(len(weeks), "week"), strings.Join(rates, ", "), this)))
	return ch
}

// awayWords is ", 2 away" after a week's count, or nothing.
func awayWords(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d away", n)
}

// burnChart is a team's burn-up, the chart of its digest: each
// objective's progress over the cycle against the expected line.
type burnChart struct {
	Alt      string
	Expected string // from 0 at the cycle's start to 100% at its end
	Lines    []burnLine
	Now      float64
	Bottom   int
}

// burnLine is one objective's; an at-risk one is dashed and ends in a
// triangle, so that colour is never the only sign.
type burnLine struct {
	I          int // its colour, c0 to c6 in the style sheet
	Title      string
	Points     string
	AtRisk     bool
	EndX, EndY float64
}

// burnColours are the Okabe-Ito colours but orange, the expected line's.
var burnColours = [...]string{"#0072B2", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442"}

// burnupChart draws b, the team digest's burn-up (report.TeamBurnup); nil
// when it has no objective to draw. Its words are the workspace's (words),
// the team's name and the titles kept as typed.
func burnupChart(b chart.Burnup, words wordpass.Pass) *burnChart {
	if len(b.Objectives) == 0 || !b.End.After(b.Start) {
		return nil
	}
	span := float64(b.End.Sub(b.Start))
	x := func(t time.Time) float64 {
		return chartPad + min(1, max(0, float64(t.Sub(b.Start))/span))*float64(chartW-2*chartPad)
	}
	y := func(p float64) float64 {
		return float64(chartH-chartPad) - min(1, max(0, p))*float64(chartH-2*chartPad)
	}
	alt := b
	alt.Team = chat.User(b.Team)
	alt.Objectives = make([]chart.Objective, len(b.Objectives))
	for i, o := range b.Objectives {
		o.Title = chat.User(o.Title)
		alt.Objectives[i] = o
	}
	ch := &burnChart{Alt: chat.PlainText(words.Text(alt.Alt())), Now: x(b.Now), Bottom: chartH - chartPad,
		Expected: fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(b.Start), y(0), x(b.End), y(1))}
	for i, o := range b.Objectives {
		l := burnLine{I: i % len(burnColours), Title: o.Title, AtRisk: o.AtRisk}
		var pts []string
		for _, p := range o.History {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				continue
			}
			l.EndX, l.EndY = x(p.At), y(p.Value)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", l.EndX, l.EndY))
		}
		if len(pts) == 0 {
			continue
		}
		l.Points = strings.Join(pts, " ")
		ch.Lines = append(ch.Lines, l)
	}
	return ch
}

// SVG is the burn-up.
func (c *burnChart) SVG() template.HTML {
	var b strings.Builder
	svgOpen(&b, c.Alt)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999999"/><text x="6" y="%d" font-size="10">0%%</text>`, chartPad, chartPad, chartPad, c.Bottom, c.Bottom)
	fmt.Fprintf(&b, `<polyline class="expected" points="%s" fill="none" stroke="#E69F00" stroke-width="2" stroke-dasharray="6 4"/>`, c.Expected)
	for _, l := range c.Lines {
		colour, dash := burnColours[l.I], ""
		if l.AtRisk {
			dash = ` stroke-dasharray="3 3"`
		}
		fmt.Fprintf(&b, `<polyline class="objective" points="%s" fill="none" stroke="%s" stroke-width="2.5"%s><title>%s</title></polyline>`, l.Points, colour, dash, html.EscapeString(l.Title))
		if l.AtRisk {
			fmt.Fprintf(&b, `<polygon class="at-risk" points="%.1f,%.1f %.1f,%.1f %.1f,%.1f" fill="%s"/>`, l.EndX, l.EndY-5, l.EndX-4.5, l.EndY+3, l.EndX+4.5, l.EndY+3, colour)
		}
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#666666" stroke-dasharray="2 3"/></svg>`, c.Now, chartPad, c.Now, c.Bottom)
	return template.HTML(b.String())
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// labelEvery thins the week labels of a long cycle so they do not overlap.
func labelEvery(n int) int { return max(1, (n+6)/7) }

// The charts are written as SVG here, not by the page's template: a chart
// is dozens of numbers in attributes, and html/template's escaping of
// each one cost more than the rest of a busy person's page. Numbers are
// formatted by the code; the only text, the alt text and the labels, is
// escaped.

func svgOpen(b *strings.Builder, alt string) {
	a := html.EscapeString(alt)
	fmt.Fprintf(b, `<svg role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`, a, chartW, chartH, chartW, chartH, a)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999999"/>`, chartPad, chartH-chartPad, chartW, chartH-chartPad)
	fmt.Fprintf(b, `<text x="2" y="%d" font-size="10">100%%</text>`, chartPad)
}

// SVG is the line chart.
func (c *lineChart) SVG() template.HTML {
	var b strings.Builder
	svgOpen(&b, c.Alt)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999999"/><text x="6" y="%d" font-size="10">0%%</text>`, chartPad, chartPad, chartPad, c.Bottom, c.Bottom)
	fmt.Fprintf(&b, `<polyline class="expected" points="%s" fill="none" stroke="#E69F00" stroke-width="2" stroke-dasharray="6 4"/>`, c.Expected)
	if c.Points != "" {
		fmt.Fprintf(&b, `<polyline class="actual" points="%s" fill="none" stroke="#0072B2" stroke-width="2.5"/>`, c.Points)
	}
	for _, d := range c.Dots {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#0072B2"/>`, d.X, d.Y)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#666666" stroke-dasharray="2 3"/></svg>`, c.Now, chartPad, c.Now, c.Bottom)
	return template.HTML(b.String())
}

// SVG is the bar chart.
func (c *barChart) SVG() template.HTML {
	var b strings.Builder
	svgOpen(&b, c.Alt)
	every := labelEvery(len(c.Bars))
	for i, x := range c.Bars {
		fmt.Fprintf(&b, `<rect class="rate" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#009E73"><title>%s</title></rect>`, x.X, x.Y, x.W, x.H, html.EscapeString(x.Title))
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10">%s</text>`, x.X, c.Bottom+14, html.EscapeString(x.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
