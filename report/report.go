// Package report composes what okrbot says on its own and the reports
// people ask for: check-in nudges and reminders, team and manager digests,
// grading prompts, retrospective invitations and summaries, and the
// adoption report. Composers read the store as it is when a message is
// sent and return neutral chat messages; they write nothing but their own
// caches (the adoption ledger).
package report

import (
	"log/slog"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// Reports composes what the bot sends on its own: nudges, reminders, team
// and manager digests, grading prompts, retrospectives, and the adoption
// report. Each kind of scheduled message has one composer in the registry
// (registry.go); a new report is one file and one entry there.
type Reports struct {
	store     okrcore.Store
	now       func() time.Time
	log       *slog.Logger
	locs      chat.Zones
	served    map[string]bool // nil: every platform
	composers map[okrcore.OutboxKind]composer
	teamLink  func(okrcore.ID) string // a team's web page; nil: no web view
}

// LinkTeams makes digests, scheduled and asked, link to their team's page
// at the address link gives (web.Links.TeamLink). Call it before composing.
func (e *Reports) LinkTeams(link func(team okrcore.ID) string) { e.teamLink = link }

func (e *Reports) linkTeam(m *chat.Message, team okrcore.ID) {
	if e.teamLink != nil && team != 0 {
		m.Link = chat.Link{Label: "Open the team's page", URL: e.teamLink(team)}
	}
}

// ReportOptions configure Reports.
type Options struct {
	// Now is the clock; tests move it. Defaults to time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Platforms are the chat platforms this process serves, so that a
	// person on several is messaged on one that runs. Empty means every
	// platform.
	Platforms []string
}

// NewReports returns the composers over store.
func New(store okrcore.Store, opts Options) *Reports {
	r := &Reports{store: store, now: opts.Now, log: opts.Logger}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if len(opts.Platforms) > 0 {
		r.served = map[string]bool{}
		for _, p := range opts.Platforms {
			r.served[p] = true
		}
	}
	r.composers = r.registry()
	return r
}

// directTo is a person's direct conversation on a platform this process
// serves.
func (e *Reports) directTo(u *okrcore.User) chat.Conversation {
	if e.served == nil {
		return chat.DirectTo(u)
	}
	return chat.DirectAmong(u, func(p string) bool { return e.served[p] })
}
