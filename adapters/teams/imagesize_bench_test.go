package teams

// BenchmarkDigestCard10k measures, on a 10,000-person organisation (2,000
// teams, 100,000 key results, six weekly check-ins each), both ways a
// Teams card can carry a digest's chart against the card limit: inline as
// a data: URI, or by the signed address okrbot serves it at; and which one
// placeImages picks. Run it with
//
//	go test -run '^$' -bench DigestCard10k -benchtime 5x ./adapters/teams/
//
// Each reports the chart's PNG and base64 bytes, the card's JSON bytes
// with the chart inline and by address (MaxActivityBytes is okrbot's
// ceiling under Teams' 28 KB), the activities the message goes as, and
// whether it went inline (1) or by address (0).

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

func BenchmarkDigestCard10k(b *testing.B) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "org.db"), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	org, err := storagetest.GenerateOrg(ctx, db, storagetest.OrgSpec{CheckInsPerKR: 6, Now: time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d people, %d check-ins in %s", org.Users, org.CheckIns, time.Since(start).Round(time.Second))
	e := bot.NewEngine(db, bot.Options{Now: func() time.Time { return org.Now }})
	team := func(name string) okrcore.ID {
		t, err := okrcore.View(ctx, db, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(org.Workspace, name) })
		if err != nil {
			b.Fatal(err)
		}
		return t.ID
	}
	cases := []struct {
		name string
		kind okrcore.OutboxKind
		team string
	}{
		{"team-largest", okrcore.OutboxDigest, org.LargestTeam},
		{"team-mid", okrcore.OutboxDigest, org.MidTeam},
		{"manager-department", okrcore.OutboxManagerDigest, org.Departments[0]},
	}
	a := &Adapter{}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			it := &okrcore.OutboxItem{ID: 1, Workspace: org.Workspace, Kind: tc.kind, Team: team(tc.team), DueAt: org.Now, State: okrcore.OutboxPending, Key: string(tc.kind) + ":bench"}
			d, err := e.Compose(ctx, it)
			if err != nil || d.Skip != "" {
				b.Fatalf("compose: %v %q", err, d.Skip)
			}
			imgs := chat.Images(d.Message.Blocks)
			if len(imgs) != 1 {
				b.Fatalf("%d charts", len(imgs))
			}
			png := imgs[0].PNG
			bare := d.Message
			bare.Blocks = slices.DeleteFunc(slices.Clone(bare.Blocks), func(b chat.Block) bool { _, ok := b.(chat.Image); return ok })
			inline := jsonSize(RenderActivity(bare)) + base64.StdEncoding.EncodedLen(len(png)) + imageOverhead
			host := &fakeImages{}
			a.opts.Images = host
			var outs []*Activity
			var placed chat.Message
			for b.Loop() {
				placed = a.placeImages(ctx, d.Message)
				outs = RenderActivities(placed)
			}
			b.ReportMetric(float64(len(png)), "png-B")
			b.ReportMetric(float64(base64.StdEncoding.EncodedLen(len(png))), "base64-B")
			b.ReportMetric(float64(inline), "card-inline-B")
			b.ReportMetric(float64(jsonSize(outs[0])), "card-picked-B")
			b.ReportMetric(float64(len(outs)), "activities")
			picked := 0.0
			if chat.Images(placed.Blocks) != nil && chat.Images(placed.Blocks)[0].URL == "" {
				picked = 1
			}
			b.ReportMetric(picked, "inline")
		})
	}
}
