package document

import "github.com/okrbot/okrbot/okrcore"

// Document is okrbot's own export of one workspace (or one cycle of it):
// every record as okrcore stores it and the full check-in history, each
// list in id order. It holds no time stamp of the export itself, so that
// the same data always encodes to the same bytes.
type Document struct {
	Format    string             `json:"format"` // always Format
	Version   int                `json:"version"`
	Workspace *okrcore.Workspace `json:"workspace"`
	// Cycle names the one cycle the export was limited to; empty for the
	// whole workspace.
	Cycle       string                `json:"cycle,omitempty"`
	People      []*okrcore.User       `json:"people"`
	Teams       []*okrcore.Team       `json:"teams"`
	Cycles      []*okrcore.Cycle      `json:"cycles"`
	Objectives  []*okrcore.Objective  `json:"objectives"`
	KeyResults  []*okrcore.KeyResult  `json:"key_results"`
	KPIs        []*okrcore.KPI        `json:"kpis"`
	Initiatives []*okrcore.Initiative `json:"initiatives"`
	CheckIns    []*okrcore.CheckIn    `json:"check_ins"`
}
