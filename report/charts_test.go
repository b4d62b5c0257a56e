package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// TestDigestChart: a team digest carries its burn-up, whose words name each
// objective the digest says needs attention as at risk, and each key
// result's bar carries its sparkline; `/okr show KR…` carries its history
// and `/okr adoption` the weekly check-in rate.
func TestDigestChart(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	k.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	tests := []struct {
		name, who, ask string
		wantAlt        []string
		krBars         bool
	}{
		{"team digest", "alice", "/okr digest", []string{"Sales: 2 objectives", "Build a repeatable sales playbook, at risk,", "expected"}, true},
		{"key result", "alice", "/okr show KR4", []string{"KR4 ", "expected"}, true},
		{"adoption", "alice", "/okr adoption", []string{"OKR adoption · ", "of people checked in in the last week", "lowest last week: "}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := k.Ask(tt.who, tt.ask)
			imgs := chat.Images(m.Blocks)
			if len(imgs) != 1 {
				t.Fatalf("%d images, want 1:\n%s", len(imgs), bottest.Text(m))
			}
			img := imgs[0]
			if !bytes.HasPrefix(img.PNG, pngMagic) {
				t.Errorf("the image is not a PNG")
			}
			for _, w := range tt.wantAlt {
				if !strings.Contains(chat.Unmarked(img.Alt), w) {
					t.Errorf("alt %q lacks %q", img.Alt, w)
				}
			}
			sparks := 0
			for _, b := range m.Blocks {
				if bar, ok := b.(chat.ProgressBar); ok {
					if strings.HasPrefix(bar.Ref, "KR") && !strings.ContainsAny(bar.Detail, "▁▂▃▄▅▆▇█") {
						t.Errorf("%s's bar has no sparkline: %q", bar.Ref, bar.Detail)
					}
					if strings.HasPrefix(bar.Ref, "KR") {
						sparks++
					}
				}
			}
			if tt.krBars && sparks == 0 {
				t.Errorf("no key result bars:\n%s", bottest.Text(m))
			}
			// Each objective the digest shows as needing attention is
			// named at risk in the chart's words.
			for _, b := range m.Blocks {
				if bar, ok := b.(chat.ProgressBar); ok && strings.HasPrefix(bar.Ref, "O") && (bar.Status == "at_risk" || bar.Status == "off_track") {
					if !strings.Contains(img.Alt, bar.Label+", at risk,") { // both marked alike
						t.Errorf("alt %q does not name %s at risk", img.Alt, bar.Label)
					}
				}
			}
		})
	}
}

// TestMineShowsOwnKPIs: `/okr mine` shows the person's own KPIs, found by
// the owners' index, and nobody else's (a team's, another person's).
func TestMineShowsOwnKPIs(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	for who, kpi := range map[string]string{"alice": "Alice's pipeline coverage", "bob": "Bob's response time"} {
		if m := k.Ask(who, `/okr new kpi "`+kpi+`" range 1-5`); !strings.Contains(bottest.Text(m), kpi) {
			t.Fatalf("%s's KPI: %s", who, bottest.Text(m))
		}
	}
	text := bottest.Text(k.Ask("alice", "/okr mine"))
	if !strings.Contains(text, "Alice's pipeline coverage") {
		t.Errorf("alice's own KPI is not in her OKRs:\n%s", text)
	}
	for _, other := range []string{"Bob's response time", "Uptime"} {
		if strings.Contains(text, other) {
			t.Errorf("alice's OKRs show %q, not hers:\n%s", other, text)
		}
	}
}
