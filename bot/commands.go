package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/okrbot/okrbot/bot/cyclecmd"
	"github.com/okrbot/okrbot/bot/helptext"
	"github.com/okrbot/okrbot/bot/quiet"
	"github.com/okrbot/okrbot/bot/words"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

type commandFunc func(ctx context.Context, req *request, args []reply.Token) (chat.Message, error)

type commandSpec struct {
	run     commandFunc
	usage   string
	summary string
	group   string
}

// commands is the command language, built once by NewEngine: every
// message looks its first word up in it.
func (e *Engine) commands() map[string]commandSpec { return e.cmds }

// buildCommands makes the command table. Aliases point at the same spec.
func (e *Engine) buildCommands() map[string]commandSpec {
	cmds := map[string]commandSpec{
		"help":       {e.help, "help [COMMAND]", "what I can do", "basics"},
		"mine":       {e.mine, "mine", "your OKRs this cycle", "basics"},
		"team":       {e.team, "team NAME", "a team's OKRs and members", "basics"},
		"teams":      {e.teams, "teams", "all teams", "basics"},
		"show":       {e.show, "show ID", "one objective, key result, KPI, initiative or team (O12, KR34, KPI3, I5, T2)", "basics"},
		"tree":       {e.tree, "tree [ID|TEAM]", "the alignment tree of the cycle", "basics"},
		"digest":     {e.digestCmd, "digest [TEAM]", "a team's week: progress, change, at risk, blockers, who hasn't checked in", "basics"},
		"adoption":   {e.adoption, "adoption [TEAM]", "how OKRs are taking hold: who has OKRs, weekly check-in rate per team", "admin"},
		"web":        {e.webUnset, "web [revoke]", "a personal link to the web view of the programme, valid 12 hours; `web revoke` (admins) ends every link", "basics"},
		"history":    {e.history, "history KR34", "the check-ins of a key result or KPI", "basics"},
		"checkin":    {e.checkin, "checkin [KR2 45%, confidence 7 …]", "check in: guided, one key result after another, or in plain words", "check-ins"},
		"form":       {e.checkinFormCmd, "form", "check in with one form for all your key results", "check-ins"},
		"new":        {e.newCmd, "new objective|kr|kpi|initiative …", "create OKRs (`help new` for the details)", "planning"},
		"edit":       {e.edit, "edit ID FIELD VALUE", "change a title, target, start, weight, owner, unit or alignment", "planning"},
		"done":       {e.initiativeDone, "done I5", "mark an initiative done (`undone I5` reopens it)", "planning"},
		"undone":     {e.initiativeUndone, "undone I5", "reopen an initiative", "planning"},
		"grade":      {e.grade, "grade KR34 0.7", "grade a key result at the end of the cycle (0.0–1.0)", "planning"},
		"grades":     {e.gradesCmd, "grades [KR34 …]", "grade your key results with one form (suggested from progress)", "planning"},
		"retro":      {e.retro, "retro [results [TEAM]]", "the end-of-cycle retrospective: rate four statements, then Start / Stop / Continue; `results` shows a team's anonymous summary", "planning"},
		"cycle":      {e.cycle, cyclecmd.Usage, "the current cycles and the others; at a close, carry unfinished key results over, drop or keep them", "admin"},
		"schedule":   {e.schedule, "schedule [checkin|reminder|digest|manager DAY HH:MM | grading DAYS] [team NAME …]", "the rhythm: when check-ins, reminders, digests, grading and retrospectives go out", "admin"},
		"users":      {e.users, "users", "everyone okrbot knows, with roles", "admin"},
		"people":     {e.peopleCmd, "people sync", "read everyone from the chat directory (Slack's, or Teams' rosters), so they can join teams and be nudged before they write", "admin"},
		"role":       {e.role, "role @PERSON admin|member|observer", "change someone's role", "admin"},
		"rules":      {e.rules, "rules [objectives MIN-MAX | krs MIN-MAX | retro N | decimal comma|point]", "the OKR rules the bot warns about both ways (too many as they are written, too few a day later and in the planning digest), from how many answers (at least 3) a team's retrospective results show, and how people here write numbers", "admin"},
		"undo":       {e.undo, "undo", "take back your last check-in: values, confidence, status, note and blockers", "check-ins"},
		"skip":       {e.skip, "skip", "skip this {period}'s check-in; `skip until Dec 20, on vacation` is time away", "check-ins"},
		"away":       {e.quietCmd(quiet.Away), "away [@PERSON] [until DATE | N weeks | off] [note]", "time away: no nudges, reminders or grading prompts, shown as away in digests; admins and team leads may set it for someone", "check-ins"},
		"mute":       {e.quietCmd(quiet.Mute), "mute reminders", "no reminders for the rest of this cycle (`unmute` turns them back on)", "check-ins"},
		"unmute":     {e.quietCmd(quiet.Unmute), "unmute", "reminders come again", "check-ins"},
		"nudge":      {e.quietCmd(quiet.NudgeTeam), "nudge team NAME", "one polite reminder to each person in a team or beneath it who hasn't checked in (its lead and admins; the manager digest's \"Nudge them\")", "admin"},
		"whoami":     {e.whoami, "whoami", "who okrbot thinks you are", "basics"},
		"timezone":   {e.timezone, "timezone Europe/Berlin", "set your time zone", "basics"},
		"settings":   {e.settings, "settings [nudges slack|teams | slack-status-away on|off | escalation thread|names on|off [team NAME]]", "your settings: where nudges come (Slack or Teams), your time zone; the workspace's: whether an out-of-office Slack status counts as away, the escalation ladder's steps", "basics"},
		"link":       {e.link, "link PERSON OTHER", "one person on Slack and Teams: OTHER's chat account joins PERSON", "admin"},
		"wording":    {e.wording, words.Usage(), "the words I use for objectives, key results and check-ins, which admins change", "admin"},
		"unlink":     {e.unlink, "unlink PERSON slack|teams", "split a platform's account off a person again", "admin"},
		"check-in":   {},
		"update":     {},
		"me":         {},
		"my":         {},
		"log":        {},
		"initiative": {},
	}
	alias := map[string]string{"check-in": "checkin", "update": "checkin", "me": "mine", "my": "mine", "log": "history", "initiative": "new"}
	for a, to := range alias {
		cmds[a] = cmds[to]
	}
	return cmds
}

// quietCmd runs a command of bot/quiet in one write transaction.
func (e *Engine) quietCmd(run func(okrcore.Tx, quiet.Request, []reply.Token) (chat.Message, error)) commandFunc {
	return func(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
		return okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (chat.Message, error) {
			return run(tx, quiet.Request{Actor: req.actor, Now: req.now, Loc: e.locs.Get,
				Person: func(tx okrcore.Tx, tok reply.Token) okrcore.Later[okrcore.ID] { return named(tx, req, tok) }}, args)
		})
	}
}

// command runs one command line (without its /okr prefix).
func (e *Engine) command(ctx context.Context, req *request, line string) (chat.Message, error) {
	toks, err := reply.Tokenize(line)
	if err != nil {
		return chat.Message{}, err
	}
	toks = words.Canonical(req.words, toks)
	if len(toks) == 0 {
		return e.help(ctx, req, nil)
	}
	name := lower(toks[0].Text)
	spec, ok := e.commands()[name]
	if !ok {
		if _, isRef := okrcore.ParseRef(name); isRef {
			return e.show(ctx, req, toks)
		}
		if _, shaped := report.IDShaped(name); shaped && len(toks) == 1 {
			return e.show(ctx, req, toks)
		}
		return chat.Message{}, usage("I don't know the command \"%s\". %s", chat.User(toks[0].Text), suggest(name, e.commands()))
	}
	args := toks[1:]
	if name == "initiative" {
		args = toks // "initiative KR3 …" is "new initiative KR3 …"
	}
	return spec.run(ctx, req, args)
}

// wording shows or changes the workspace's words; the answer is in the
// words now in force.
func (e *Engine) wording(ctx context.Context, req *request, args []reply.Token) (m chat.Message, err error) {
	m, req.words, err = words.Run(ctx, e.store, req.actor, req.words, args, func(w string) string { return e.cmds[w].usage })
	return m, err
}

// suggest proposes the closest command to a typo.
func suggest(name string, cmds map[string]commandSpec) string {
	names := make([]string, 0, len(cmds))
	for c, spec := range cmds {
		// Suggest the command itself, not an alias of it.
		if strings.HasPrefix(spec.usage, c) {
			names = append(names, c)
		}
	}
	if best := reply.Closest(name, names); best != "" {
		return fmt.Sprintf("Did you mean `/okr %s`? `/okr help` lists everything.", best)
	}
	return "`/okr help` lists what I can do."
}

func (e *Engine) help(ctx context.Context, req *request, args []reply.Token) (chat.Message, error) {
	cmds := e.commands()
	// Summaries say the asker's rhythm: "skip this fortnight's check-in".
	words := strings.NewReplacer("{period}", report.PeriodWord(e.cadenceOf(ctx, req)))
	if len(args) > 0 {
		name := lower(args[0].Text)
		if name == "new" || name == "initiative" {
			return chat.Text(helptext.New()), nil
		}
		if name == "checkin" || name == "check-in" {
			return chat.Text(helptext.CheckIn), nil
		}
		if name == "team" || name == "teams" {
			return chat.Text("*Teams*\n`/okr team NAME`: a team's OKRs and members\n`/okr teams`: all teams\n" + strings.Join(helptext.Team(), "\n")), nil
		}
		if spec, ok := cmds[name]; ok && spec.run != nil {
			return chat.Text(fmt.Sprintf("`/okr %s`: %s.", spec.usage, words.Replace(spec.summary))), nil
		}
	}
	m := chat.Message{Text: "okrbot commands", Ephemeral: true}
	m.Blocks = append(m.Blocks, chat.Header{Text: "okrbot: your OKRs in chat"})
	seen := map[string]bool{}
	for _, g := range helptext.Groups() {
		var lines []string
		for name, spec := range cmds {
			if spec.group != g.Key || seen[spec.usage] {
				continue
			}
			seen[spec.usage] = true
			_ = name
			lines = append(lines, fmt.Sprintf("`/okr %s`: %s", spec.usage, words.Replace(spec.summary)))
		}
		sort.Strings(lines)
		if g.Key == "teams" {
			lines = helptext.Team()
		}
		m.Blocks = append(m.Blocks, chat.Section{Text: "*" + g.Title + "*\n" + strings.Join(lines, "\n")})
	}
	m.Blocks = append(m.Blocks, chat.Context{Text: "In a direct message you can skip `/okr` and just write a check-in: `KR2 45%, confidence 7, blocked: waiting on legal`."})
	return m, nil
}
