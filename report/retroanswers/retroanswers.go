// Package retroanswers holds the retrospective's questions and a person's
// answers as stored: asked by the conversation, summed up for a team by
// its report.
package retroanswers

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// Statements are rated from 1 (strongly disagree) to 5 (strongly agree).
var Statements = []string{
	"We work more focused because of OKRs",
	"Our daily priorities add up to our OKRs",
	"We chose and worded our key results well",
	"We are satisfied with the OKR process",
}

// Questions are answered in free text after the statements.
var Questions = []struct{ Label, Question string }{
	{"Start", "What should we *start* doing next cycle?"},
	{"Stop", "What should we *stop* doing?"},
	{"Continue", "What worked well and should *continue*?"},
}

// Answers are one person's answers for one cycle.
type Answers struct {
	// Ratings holds one rating per statement, 0 when skipped.
	Ratings  []int     `json:"ratings"`
	Start    string    `json:"start,omitempty"`
	Stop     string    `json:"stop,omitempty"`
	Continue string    `json:"continue,omitempty"`
	At       time.Time `json:"at"`
}

// Text is the free-text answer to question i (Start, Stop, Continue).
func (a *Answers) Text(i int) *string {
	switch i {
	case 0:
		return &a.Start
	case 1:
		return &a.Stop
	}
	return &a.Continue
}

// Normalize makes Ratings one per statement, whatever was stored.
func (a *Answers) Normalize() {
	r := make([]int, len(Statements))
	copy(r, a.Ratings)
	a.Ratings = r
}

// Key is the State key of a person's answers for a cycle.
func Key(cycle, user okrcore.ID) string {
	return "retro:answers:" + strconv.FormatUint(uint64(cycle), 10) + ":" + strconv.FormatUint(uint64(user), 10)
}

// Read reads a person's answers for a cycle; nil when there are none
// (or none that can be read).
func Read(tx okrcore.Tx, ws string, cycle, user okrcore.ID) (*Answers, error) {
	b, err := tx.State(ws, Key(cycle, user))
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a := &Answers{}
	if err := json.Unmarshal(b, a); err != nil {
		return nil, nil
	}
	a.Normalize()
	return a, nil
}
