package report

import (
	"fmt"
	"strings"

	"github.com/okrbot/okrbot/okrcore"
)

// The words the bot counts and names its rhythm with, shared by the
// composers and the conversation.

// Count says "1 member" or "3 members" ("1 person", "2 people", "2 days",
// "2 entries": only a consonant before the y makes it "ies").
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	switch {
	case noun == "person":
		noun = "people"
	case len(noun) > 1 && noun[len(noun)-1] == 'y' && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		noun = noun[:len(noun)-1] + "ies"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// CadenceWord says how often a rhythm comes round: "weekly",
// "fortnightly" or "monthly".
func CadenceWord(c okrcore.Cadence) string {
	switch c {
	case okrcore.Biweekly:
		return "fortnightly"
	case okrcore.Monthly:
		return "monthly"
	}
	return "weekly"
}

// PeriodWord names one turn of a rhythm: "week", "fortnight" or "month".
func PeriodWord(c okrcore.Cadence) string {
	switch c {
	case okrcore.Biweekly:
		return "fortnight"
	case okrcore.Monthly:
		return "month"
	}
	return "week"
}

// IDShaped reads what looks like an id ("O0", "kr12", "#T3"): a kind's
// prefix and digits, whether or not a record could have it. It gives the
// id as people write it, so that "There is no O0" answers an id that
// names nothing instead of taking it for a team's name.
func IDShaped(s string) (string, bool) {
	up := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "#")
	for _, k := range []okrcore.RefKind{okrcore.RefKPI, okrcore.RefKeyResult, okrcore.RefObjective, okrcore.RefInitiative, okrcore.RefTeam, okrcore.RefCycle} {
		digits, ok := strings.CutPrefix(up, string(k))
		if !ok || digits == "" || len(digits) > 19 {
			continue
		}
		if strings.Trim(digits, "0123456789") == "" {
			return up, true
		}
	}
	return "", false
}
