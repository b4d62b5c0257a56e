package ladder

import (
	"fmt"
	"slices"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/away"
	"github.com/okrbot/okrbot/report/tally"
)

// maxDepth bounds a walk down the org chart: it is shallow, and a loop in
// old data must end.
const maxDepth = 32

// SilentUnder lists, in the order met, who in team (and, with below, the
// teams beneath it) has key results in any of the cycles cs (the open
// current ones: the year's count as the quarter's, as in the digests) and
// has not checked in since start (the period's start) as of now: not
// those who left, are away for the period (okrcore/away), or muted
// reminders. They are whom the ladder names and "Nudge them" reminds; the
// same list for both, so that the button reminds whom the digest named.
func SilentUnder(tx okrcore.Tx, ws string, team *okrcore.Team, below bool, cs []*okrcore.Cycle, start, now time.Time) ([]okrcore.ID, error) {
	book, err := away.Read(tx, ws)
	if err != nil {
		return nil, err
	}
	teams := []*okrcore.Team{team}
	if below {
		if teams, err = subtree(tx, ws, team); err != nil {
			return nil, err
		}
	}
	var out []okrcore.ID
	seen := map[okrcore.ID]bool{}
	for _, t := range teams {
		for _, m := range append([]okrcore.ID{t.Lead}, t.Members...) {
			if m == 0 || seen[m] {
				continue
			}
			seen[m] = true
			if book.AwayFor(m, start, now) || slices.ContainsFunc(cs, func(c *okrcore.Cycle) bool { return book.Muted(m, c.ID) }) {
				continue
			}
			silent, err := isSilent(tx, ws, m, cs, start)
			if err != nil {
				return nil, err
			}
			if silent {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// isSilent says whether a person still here has key results to check in on
// in one of cs (their own, or under an objective of theirs) and has not
// since start.
func isSilent(tx okrcore.Tx, ws string, id okrcore.ID, cs []*okrcore.Cycle, start time.Time) (bool, error) {
	u, err := tx.User(ws, id)
	if okrcore.IsNotFound(err) || (err == nil && (u.Left || u.Role == okrcore.RoleObserver)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	has := false
	for _, c := range cs {
		if has, err = hasKeyResults(tx, ws, id, c); err != nil || has {
			break
		}
	}
	if err != nil || !has {
		return false, err
	}
	checked, err := tally.Since(tx, ws, id, start)
	return !checked, err
}

// hasKeyResults says whether a person has key results in c: their own, or
// under an objective of theirs.
func hasKeyResults(tx okrcore.Tx, ws string, id okrcore.ID, c *okrcore.Cycle) (bool, error) {
	krs, err := tx.KeyResultsByOwner(ws, okrcore.UserOwner(id), c.ID)
	if err != nil || len(krs) > 0 {
		return len(krs) > 0, err
	}
	objs, err := tx.ObjectivesByOwner(ws, okrcore.UserOwner(id), c.ID)
	if err != nil {
		return false, err
	}
	for _, o := range objs {
		ks, err := tx.KeyResultsByObjective(ws, o.ID)
		if err != nil || len(ks) > 0 {
			return len(ks) > 0, err
		}
	}
	return false, nil
}

// openCurrent is the workspace's open current cycles, the quarter first
// (okrcore.CurrentCycles without the closed ones).
func openCurrent(tx okrcore.Tx, ws string) ([]*okrcore.Cycle, error) {
	cs, err := okrcore.CurrentCycles(tx, ws)
	return slices.DeleteFunc(cs, func(c *okrcore.Cycle) bool { return c.Closed }), err
}

// subtree is team and every team beneath it.
func subtree(tx okrcore.Tx, ws string, team *okrcore.Team) ([]*okrcore.Team, error) {
	all, err := tx.Teams(ws)
	if err != nil {
		return nil, err
	}
	out := []*okrcore.Team{team}
	for depth, level := 0, []okrcore.ID{team.ID}; depth < maxDepth && len(level) > 0; depth++ {
		var next []okrcore.ID
		for _, t := range all {
			if slices.Contains(level, t.Parent) && t.ID != t.Parent && !slices.ContainsFunc(out, func(x *okrcore.Team) bool { return x.ID == t.ID }) {
				out, next = append(out, t), append(next, t.ID)
			}
		}
		level = next
	}
	return out, nil
}

// Thread is the ladder's thread step for team t's digest channel: on the
// digest day, the reply in the digest's thread (top-level when the digest
// did not go out) naming who has not checked in since start; this words
// the period ("this week"), name a person; cs are the open current cycles.
func Thread(tx okrcore.Tx, t *okrcore.Team, cs []*okrcore.Cycle, it *okrcore.OutboxItem, start, now time.Time, this string, name func(okrcore.ID) string) (chat.Delivery, error) {
	to := chat.Conversation{ID: t.DigestChannel, Platform: t.DigestPlatform}
	book, err := away.Read(tx, t.Workspace)
	if err != nil || to.ID == "" || !book.Settings.LadderOf(t.ID).Thread {
		return chat.Delivery{To: to, Skip: "the escalation ladder's thread step is off, or the team has no channel"}, err
	}
	ids, err := SilentUnder(tx, t.Workspace, t, false, cs, start, now)
	if err != nil || len(ids) == 0 {
		return chat.Delivery{To: to, Skip: "everyone asked has checked in"}, err
	}
	if dg, err := tx.OutboxByKey(t.Workspace, fmt.Sprintf("%s:t%d:%s", okrcore.OutboxDigest, t.ID, it.Period)); err == nil && dg.State == okrcore.OutboxSent {
		to.Thread = dg.SentRef
	}
	return chat.Delivery{To: to, Message: ThreadReply(namesOf(ids, name), this)}, nil
}

// ComposeThread composes the ladder's thread step for an escalation item:
// its team's digest day, as of the item's due time (now when it has none);
// start is when a team's check-in period holding a moment began (its
// rhythm, its time zone), this words the item's period, name a person.
func ComposeThread(tx okrcore.Tx, w *okrcore.Workspace, it *okrcore.OutboxItem, now time.Time, start func(*okrcore.Team, time.Time) time.Time, this string, name func(okrcore.ID) string) (chat.Delivery, error) {
	t, err := tx.Team(w.ID, it.Team)
	if okrcore.IsNotFound(err) {
		return chat.Delivery{Skip: "the team no longer exists"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	cs, err := openCurrent(tx, w.ID)
	if okrcore.IsNotFound(err) || (err == nil && len(cs) == 0) {
		return chat.Delivery{Skip: "no open current cycle"}, nil
	}
	if err != nil {
		return chat.Delivery{}, err
	}
	if !it.DueAt.IsZero() {
		now = it.DueAt
	}
	return Thread(tx, t, cs, it, start(t, now), now, this, name)
}

// Silent is SilentUnder for team t and the teams beneath it in the open
// current cycles, as of now: whom "Nudge them" reminds.
func Silent(tx okrcore.Tx, w *okrcore.Workspace, t *okrcore.Team, now time.Time, start func(*okrcore.Team, time.Time) time.Time) ([]okrcore.ID, error) {
	cs, err := openCurrent(tx, w.ID)
	if err != nil {
		return nil, err
	}
	return SilentUnder(tx, w.ID, t, true, cs, start(t, now), now)
}

// Names adds to blocks the manager digest's names step, when the ladder
// has it on for t: who has not checked in under t since start, and the
// button that nudges them; nothing when it is off. cs are the digest's
// cycles, the open current ones.
func Names(blocks []chat.Block, tx okrcore.Tx, t *okrcore.Team, cs []*okrcore.Cycle, start, now time.Time, this string, name func(okrcore.ID) string) ([]chat.Block, error) {
	book, err := away.Read(tx, t.Workspace)
	if err != nil || !book.Settings.LadderOf(t.ID).Names {
		return blocks, err
	}
	ids, err := SilentUnder(tx, t.Workspace, t, true, cs, start, now)
	if err != nil {
		return blocks, err
	}
	return append(blocks, SilentBlocks(chat.User(t.Name), "nudge team "+t.Name, this, namesOf(ids, name))...), nil
}

func namesOf(ids []okrcore.ID, name func(okrcore.ID) string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = name(id)
	}
	return out
}
