package bot_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// lastWeekRate is the "N% of people checked in in the last week" of a
// check-in rate chart's words.
var lastWeekRate = regexp.MustCompile(`(\d+%) of people checked in in the last week`)

// TestManagerChartWeeksAreEachPersonsOwn: a check-in at half past midnight
// on a Monday in Auckland is still Sunday in UTC. The manager digest's
// rate chart and /okr adoption both count it in the person's own new week
// (tally.Clock), not in the UTC week before it; a check-in of someone in
// UTC late on Sunday stays in the week before for both.
func TestManagerChartWeeksAreEachPersonsOwn(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	for _, tc := range []struct {
		name, zone string
		at         time.Time
		want       string
	}{
		{"Monday 00:30 in Auckland, Sunday in UTC", "Pacific/Auckland", time.Date(2026, 11, 23, 0, 30, 0, 0, auckland), "100%"},
		{"Sunday 23:30 in UTC", "UTC", time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC), "0%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, true)
			h.Ask("ivan", "hello")
			for _, line := range []string{
				"/okr team create \"Far East\"", "/okr team create \"Far Crew\" under \"Far East\"",
				"/okr team add \"Far Crew\" @ivan", "/okr team lead \"Far East\" @ivan",
			} {
				wantContains(t, renderStatus(h.Ask("dana", line)), "")
			}
			wantContains(t, renderStatus(h.Ask("ivan", "/okr timezone "+tc.zone)), tc.zone)
			wantContains(t, renderStatus(h.Ask("ivan", "/okr new objective \"Open the Pacific market\"")), "Created O")
			wantContains(t, renderStatus(h.Ask("ivan", "/okr new kr O6 \"Pacific partners\" from 0 to 3")), "Added KR13")
			h.Clock.Set(tc.at)
			wantContains(t, renderStatus(h.Ask("ivan", "KR13 1")), "Checked in")

			now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
			h.Clock.Set(now)
			d := h.composeWeek(okrcore.OutboxManagerDigest, h.team("Far East").ID, "2026-W48", now)
			for what, m := range map[string]chat.Message{"manager digest": d.Message, "adoption": h.Ask("dana", "/okr adoption Far East")} {
				imgs := chat.Images(m.Blocks)
				if len(imgs) != 1 {
					t.Fatalf("%s: %d charts, want 1:\n%s", what, len(imgs), renderStatus(m))
				}
				got := lastWeekRate.FindStringSubmatch(imgs[0].Alt)
				if got == nil || got[1] != tc.want {
					t.Errorf("%s's chart: %q, want %s checked in in the last week", what, imgs[0].Alt, tc.want)
				}
			}
		})
	}
}

// firstWeekRate is the "(N% in the first)" of a check-in rate chart's
// words.
var firstWeekRate = regexp.MustCompile(`(\d+%) of people checked in in the last week \((\d+%) in the first\)`)

// TestManagerChartLeavesOutAwayWeeks: the manager digest's rate chart
// leaves a person out of each week they were away, and only of those, as
// /okr adoption counts them: someone away for the cycle's first week and
// back since is not counted silent in it, and someone away only now still
// counts in the weeks before. Adoption's chart does the same (its rows are
// Far East, ivan alone, and Far Crew, ivan and judy, summed).
func TestManagerChartLeavesOutAwayWeeks(t *testing.T) {
	start := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC) // Thursday: the quarter's first week ends on Sunday
	for _, tc := range []struct {
		name             string
		awayWho, awayFor string
		awayAt           time.Time
		want             [2]string // the manager digest's last and first week
		adoption         [2]string // adoption's
	}{
		// judy checked in in both weeks, ivan in neither; ivan was away in
		// the first: 1 of 1 then, 1 of 2 now (adoption: 1 of 1, 1 of 3).
		{"away for the first week only", "ivan", "away until 2026-10-11", start, [2]string{"50%", "100%"}, [2]string{"33%", "100%"}},
		// judy checked in only in the first week, then went away: 1 of 2
		// then, 0 of 1 now (adoption: 1 of 3, 0 of 2).
		{"away only now", "judy", "away until 2026-10-20", time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC), [2]string{"0%", "50%"}, [2]string{"0%", "33%"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessAt(t, ws, start.Add(-time.Hour), true)
			for _, who := range []string{"ivan", "judy"} {
				h.Ask(who, "hello")
			}
			for _, line := range []string{
				"/okr team create \"Far East\"", "/okr team create \"Far Crew\" under \"Far East\"",
				"/okr team add \"Far Crew\" @ivan", "/okr team add \"Far Crew\" @judy", "/okr team lead \"Far East\" @ivan",
			} {
				wantContains(t, renderStatus(h.Ask("dana", line)), "")
			}
			krs := map[string]string{}
			for _, who := range []string{"ivan", "judy"} {
				m := renderStatus(h.Ask(who, "/okr new objective \"Open the Pacific market, "+who+"\""))
				o := regexp.MustCompile(`Created (O\d+)`).FindStringSubmatch(m)
				if o == nil {
					t.Fatalf("%s's objective: %s", who, m)
				}
				m = renderStatus(h.Ask(who, "/okr new kr "+o[1]+" \"Pacific partners\" from 0 to 3"))
				k := regexp.MustCompile(`Added (KR\d+)`).FindStringSubmatch(m)
				if k == nil {
					t.Fatalf("%s's key result: %s", who, m)
				}
				krs[who] = k[1]
			}
			if tc.awayAt.Equal(start) {
				h.Clock.Set(tc.awayAt)
				wantContains(t, renderStatus(h.Ask(tc.awayWho, tc.awayFor)), "away")
			}
			h.Clock.Set(start.AddDate(0, 0, 1)) // judy checks in in the first week
			wantContains(t, renderStatus(h.Ask("judy", krs["judy"]+" 1")), "Checked in")
			if !tc.awayAt.Equal(start) {
				h.Clock.Set(tc.awayAt)
				wantContains(t, renderStatus(h.Ask(tc.awayWho, tc.awayFor)), "away")
			}
			now := time.Date(2026, 10, 14, 15, 0, 0, 0, time.UTC) // Wednesday of the third week
			if tc.awayWho != "judy" {
				h.Clock.Set(now.Add(-time.Hour))
				wantContains(t, renderStatus(h.Ask("judy", krs["judy"]+" 2")), "Checked in")
			}
			h.Clock.Set(now)
			d := h.composeWeek(okrcore.OutboxManagerDigest, h.team("Far East").ID, "2026-W42", now)
			for what, c := range map[string]struct {
				m    chat.Message
				want [2]string
			}{"manager digest": {d.Message, tc.want}, "adoption": {h.Ask("dana", "/okr adoption Far East"), tc.adoption}} {
				imgs := chat.Images(c.m.Blocks)
				if len(imgs) != 1 {
					t.Fatalf("%s: %d charts, want 1:\n%s", what, len(imgs), renderStatus(c.m))
				}
				got := firstWeekRate.FindStringSubmatch(imgs[0].Alt)
				if got == nil || got[1] != c.want[0] || got[2] != c.want[1] {
					t.Errorf("%s's chart: %q, want %s checked in in the last week, %s in the first", what, imgs[0].Alt, c.want[0], c.want[1])
				}
			}
		})
	}
}
