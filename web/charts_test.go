package web

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chart"
	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
)

// TestBurnupChart: the team page's burn-up draws a line per objective
// with a point that can be drawn, marks the at-risk ones with a dash and
// a triangle, escapes what people typed, and is left out when there is
// nothing to draw.
func TestBurnupChart(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	end, now := start.AddDate(0, 3, 0), start.AddDate(0, 1, 0)
	pts := func(vs ...float64) []chart.Point {
		var out []chart.Point
		for i, v := range vs {
			out = append(out, chart.Point{At: start.AddDate(0, 0, 7*i), Value: v})
		}
		return out
	}
	tests := []struct {
		name         string
		b            chart.Burnup
		lines, risks int
		want, refuse []string
	}{
		{"nothing to draw", chart.Burnup{Team: "Sales", Start: start, End: end, Now: now}, -1, 0, nil, nil},
		{"an empty cycle", chart.Burnup{Team: "Sales", Start: start, End: start, Now: now, Objectives: []chart.Objective{{Title: "x", History: pts(0.1)}}}, -1, 0, nil, nil},
		{"two, one at risk", chart.Burnup{Team: "Sales", Start: start, End: end, Now: now, Objectives: []chart.Objective{
			{Title: "Win the mid-market", History: pts(0, 0.2, 0.3)},
			{Title: "Build a playbook", History: pts(0, 0.05), AtRisk: true},
		}}, 2, 1, []string{`aria-label="Sales: 2 objectives; Win the mid-market is at 30%`, "Build a playbook, at risk,", `stroke-dasharray="3 3"`}, nil},
		{"hostile words and numbers", chart.Burnup{Team: `<b>"Ops"</b>`, Start: start, End: end, Now: now, Objectives: []chart.Objective{
			{Title: `</title><script>alert(1)</script>`, History: pts(math.NaN(), math.Inf(1), 0.4, 7)},
			{Title: "no numbers", History: pts(math.NaN())},
		}}, 1, 0, []string{"&lt;script&gt;", "&lt;b&gt;&#34;Ops&#34;&lt;/b&gt;"}, []string{"<script>", "NaN", "Inf", "<b>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := burnupChart(tt.b, wordpass.Pass{})
			if tt.lines < 0 {
				if ch != nil {
					t.Fatalf("drew %+v, want nothing", ch)
				}
				return
			}
			if ch == nil {
				t.Fatal("drew nothing")
			}
			svg := string(ch.SVG())
			if got := strings.Count(svg, `class="objective"`); got != tt.lines || len(ch.Lines) != tt.lines {
				t.Errorf("%d lines (%d kept), want %d", got, len(ch.Lines), tt.lines)
			}
			if got := strings.Count(svg, `class="at-risk"`); got != tt.risks {
				t.Errorf("%d triangles, want %d", got, tt.risks)
			}
			for _, w := range tt.want {
				if !strings.Contains(svg, w) {
					t.Errorf("the SVG lacks %q:\n%s", w, svg)
				}
			}
			for _, r := range tt.refuse {
				if strings.Contains(svg, r) {
					t.Errorf("the SVG has %q:\n%s", r, svg)
				}
			}
			if ch.Alt != tt.b.Alt() {
				t.Errorf("alt %q, want the digest's words %q", ch.Alt, tt.b.Alt())
			}
		})
	}
}

// TestBurnupAltInTheWorkspacesWords: the team page's burn-up says the
// workspace's word for objectives, and a team's name or a title that
// says the bot's terms is shown as typed.
func TestBurnupAltInTheWorkspacesWords(t *testing.T) {
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	end, now := start.AddDate(0, 3, 0), start.AddDate(0, 1, 0)
	b := chart.Burnup{Team: "Objective *team*", Start: start, End: end, Now: now, Objectives: []chart.Objective{
		{Title: "Improve objective setting", History: []chart.Point{{At: start, Value: 0}, {At: now, Value: 0.4}}},
		{Title: "Ship <b>it</b>", AtRisk: true, History: []chart.Point{{At: start, Value: 0}, {At: now, Value: 0.1}}},
	}}
	p := wordpass.ForWorkspace(&okrcore.Workspace{Words: map[string]string{"objective": "goal", "objectives": "goals"}})
	got := burnupChart(b, p).Alt
	for _, want := range []string{"Objective *team*: 2 goals", "Improve objective setting is at 40%", "Ship <b>it</b>, at risk,"} {
		if !strings.Contains(got, want) {
			t.Errorf("alt %q lacks %q", got, want)
		}
	}
	if plain := burnupChart(b, wordpass.Pass{}).Alt; plain != b.Alt() {
		t.Errorf("alt in the bot's words:\n got %s\nwant %s", plain, b.Alt())
	}
}
