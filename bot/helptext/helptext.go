// Package helptext holds the conversation's longer help: the groups of
// `/okr help`, the team commands, how to create OKRs and how to check in.
// Plain text of the bot's own; the wording pass words it like any answer.
package helptext

import "strings"

// Groups are the groups of `/okr help`, by the key of a command's group.
func Groups() []struct{ Key, Title string } {
	return []struct{ Key, Title string }{
		{"basics", "Look things up"},
		{"check-ins", "Check in"},
		{"planning", "Plan and grade"},
		{"teams", "Teams"},
		{"admin", "Admin"},
	}
}

// Team lists what `team` does besides showing one, with who may, for
// help's Teams group and `help team`.
func Team() []string {
	return []string{
		"`/okr team create NAME [under PARENT]`: create a team (admins)",
		"`/okr team add NAME @PERSON …`: add people to a team (admins and the team's lead); a name or an e-mail address of someone who never wrote to me is looked up in the chat directory",
		"`/okr team remove NAME @PERSON …`: take people out of a team (admins and the team's lead)",
		"`/okr team lead NAME @PERSON`: make someone the team's lead (admins)",
		"`/okr team parent NAME OTHER|none`: put the team under another team, or at the top (admins)",
		"`/okr team channel NAME #CHANNEL`: where the team's digest and retrospective go (admins and the team's lead)",
		"`/okr team timezone NAME Europe/Berlin`: the team's time zone, for its digest and retrospective (admins and the team's lead)",
		"`/okr schedule team NAME …`: the team's own rhythm (`/okr help schedule`; admins and the team's lead)",
	}
}

// New is `/okr help new`: how to create OKRs.
func New() string {
	return strings.Join([]string{
		"*Create OKRs*",
		"`/okr new objective \"Win the mid-market\" [for @alice | for team Sales] [under KR3 | under O2] [in 2027]` (in names its cycle; the current quarter otherwise)",
		"`/okr new kr O12 \"Grow ARR\" from 1M to 2M [currency $] [owner @bob] [weight 2]`  (a weight goes from above 0 to 100, 1 if not given; 0 is refused: everything under an objective counts)",
		"`/okr new kr O12 \"Cut churn\" from 5% to 3%`  (a target below the start means lower is better)",
		"`/okr new kr O12 \"Launch the EU region\" milestone`",
		"`/okr new kpi \"Uptime\" range 99.5-100 [unit %] [now 99.9] [for team Platform]`",
		"`/okr new initiative KR34 \"Hire a second SDR\"`",
	}, "\n")
}

// CheckIn is `/okr help checkin`: the ways to check in.
const CheckIn = "*Check in*\n" +
	"`/okr checkin` walks you through your key results one by one.\n" +
	"Or write it in plain words: `KR2 45%`, `revenue 1.2M`, `hiring done`, `KR4 3 more`, `revenue up 10%`, `confidence 7`, `at risk`, `blocked: waiting on legal`, `same as last week`.\n" +
	"Name the key result (`KR4`, or words of its title): otherwise I ask which, with a button each, and a value that looks like a slip gets \"Are you sure?\" first.\n" +
	"Several at once: `KR2 45%, KR3 done, confidence 6, blocked on the vendor contract`.\n" +
	"A status or confidence you give holds for this check-in period; after it, progress decides. `undo` takes back your last check-in."
