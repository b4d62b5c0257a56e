package report

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// The retrospective's questions and a person's answers: asked by the
// conversation, summed up for a team by its report.

// retroStatements are rated from 1 (strongly disagree) to 5 (strongly agree).
var RetroStatements = []string{
	"We work more focused because of OKRs",
	"Our daily priorities add up to our OKRs",
	"We chose and worded our key results well",
	"We are satisfied with the OKR process",
}

// retroQuestions are answered in free text after the statements.
var RetroQuestions = []struct{ Label, Question string }{
	{"Start", "What should we *start* doing next cycle?"},
	{"Stop", "What should we *stop* doing?"},
	{"Continue", "What worked well and should *continue*?"},
}

// retroAnswers are one person's answers for one cycle.
type RetroAnswers struct {
	// Ratings holds one rating per statement, 0 when skipped.
	Ratings  []int     `json:"ratings"`
	Start    string    `json:"start,omitempty"`
	Stop     string    `json:"stop,omitempty"`
	Continue string    `json:"continue,omitempty"`
	At       time.Time `json:"at"`
}

// Text is the free-text answer to question i (Start, Stop, Continue).
func (a *RetroAnswers) Text(i int) *string {
	switch i {
	case 0:
		return &a.Start
	case 1:
		return &a.Stop
	}
	return &a.Continue
}

// Normalize makes Ratings one per statement, whatever was stored.
func (a *RetroAnswers) Normalize() {
	r := make([]int, len(RetroStatements))
	copy(r, a.Ratings)
	a.Ratings = r
}

func RetroAnswersKey(cycle, user okrcore.ID) string {
	return "retro:answers:" + strconv.FormatUint(uint64(cycle), 10) + ":" + strconv.FormatUint(uint64(user), 10)
}

func ReadRetroAnswers(tx okrcore.Tx, ws string, cycle, user okrcore.ID) (*RetroAnswers, error) {
	b, err := tx.State(ws, RetroAnswersKey(cycle, user))
	if okrcore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a := &RetroAnswers{}
	if err := json.Unmarshal(b, a); err != nil {
		return nil, nil
	}
	a.Normalize()
	return a, nil
}

// retroSectionLimit keeps a section within the platforms' limits (Block Kit
// sections hold 3,000 characters).
const retroSectionLimit = 2800
