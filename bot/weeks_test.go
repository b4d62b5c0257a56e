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
