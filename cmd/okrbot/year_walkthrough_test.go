package main

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// TestReadmeYearWalkthrough plays the README's year of cycles as it is
// written there, in the terminal chat on the demo clock: an annual
// company cycle beside four quarters, each made with `cycle next` and
// switched to by the schedule as it starts, the early close that asks, the
// owners' prompts, carrying over one by one and all at once, and the year
// carried into the next.
func TestReadmeYearWalkthrough(t *testing.T) {
	db, chat, errOut := playWalkthrough(t, "To play a year of cycles")
	for _, bad := range []string{"WARN", "Sorry, something went wrong", "I don't know the command", "Try `/okr"} {
		if strings.Contains(chat, bad) {
			t.Errorf("the chat shows %q:\n%s", bad, chat)
		}
	}
	if strings.Contains(errOut, "level=ERROR") {
		t.Errorf("the log has errors:\n%s", errOut)
	}
	// What the README's comments promise, in the order it promises it.
	rest := chat
	for _, w := range []string{
		"Created cycle 2027 (Jan 1 2027 to Dec 31 2027). It becomes current when it starts, on Fri Jan 1",
		"Created cycle Q1 2027 (Jan 1 2027 to Mar 31 2027). It becomes current when it starts",
		"Q4 2026 runs until Thu Dec 31, 11 days from now. Close it early?",
		"[1] Close Q4 2026 now  [2] Keep it open",
		"Closed Q4 2026: 5 objectives scored, 2 achieved (0.7 or more). 11 key results did not reach the target: I asked 8 people",
		"Q1 2027 follows; it becomes current on Fri Jan 1.",
		"Q4 2026 is closed. What becomes of your 3 key results that did not reach the target?",
		"You are now alice.\n[to alice]\nQ4 2026 is closed. What becomes of your 2 key results",
		"KR4 New mid-market customers carries over to Q1 2027 as KR14, under O7, from 33 customers to 40 customers.",
		"Dropped KR7 Reps certified on the playbook: it stays in its closed cycle, marked dropped.",
		"Carried over 9 key results:",
		"Current cycles: Q1 2027 · day 1 of 90 · expected progress 0%; 2027 · day 1 of 365",
		"== Your OKRs ==\n  Q1 2027 · day 1 of 90",
		"KR14 New mid-market customers · on track · ▁▁ · 33 customers of 40 customers · alice",
		"No check-ins yet.\nBefore, as KR4 (Q4 2026)\nDec 14 · alice · 29.4 customers → 33 customers",
		"KR14 New mid-market customers: 33 customers → 36 customers (0% → 43%)",
		"== Alignment tree · Q1 2027 and 2027 ==",
		"O6 Lead the mid-market in Europe · on track · dana\n  [----------] 0% KR13 Customers in Europe",
		"Closed Q1 2027:", "Q2 2027 is current now.",
		"Closed Q2 2027:", "Q3 2027 is current now.",
		"Closed Q3 2027:", "Q4 2027 is current now.",
		"Created cycle 2028 (Jan 1 2028 to Dec 31 2028).",
		"Created cycle Q1 2028 (Jan 1 2028 to Mar 31 2028).",
		"Closed Q4 2027:", "Q1 2028 is current now.",
		"Closed 2027:", "2028 is current now.",
		"KR13 Customers in Europe carries over to 2028 as",
		"Current cycles: Q1 2028 · day 1 of 91 · expected progress 0%; 2028 · day 1 of 366",
	} {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("the chat lacks %q after what came before it:\n%s", w, chat)
			continue
		}
		rest = rest[i+len(w):]
	}
	for _, q := range []string{"Q1 2027", "Q2 2027", "Q3 2027", "Q4 2027", "2027 runs"} {
		if strings.Contains(chat, q+" runs until") || strings.Contains(chat, "\n"+q+" until") {
			t.Errorf("closing %s after its end asked first", q)
		}
	}

	// The store: every quarter switched to once, every closed one closed,
	// and the key result of Q4 2026 carried on, quarter after quarter,
	// from where it stood.
	store := bottest.Store(t, bottest.File(db), bottest.Fsync(true))
	cycles := bottest.Read(t, store, func(tx okrcore.Tx) ([]*okrcore.Cycle, error) { return tx.Cycles(shell.Workspace) })
	if len(cycles) != 8 {
		t.Fatalf("%d cycles, want Q4 2026, 2027, its four quarters, 2028 and Q1 2028", len(cycles))
	}
	for _, c := range cycles {
		open := c.Name == "2028" || c.Name == "Q1 2028"
		if c.Closed == open || (c.Name != "Q4 2026" && !c.Started) {
			t.Errorf("%s: closed %v, started %v; want closed %v and started", c.Name, c.Closed, c.Started, !open)
		}
	}
	chain := bottest.Read(t, store, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) {
		var out []*okrcore.KeyResult
		for id := okrcore.ID(4); id != 0; {
			k, err := tx.KeyResult(shell.Workspace, id)
			if err != nil {
				return nil, err
			}
			out, id = append(out, k), k.CarriedTo
		}
		return out, nil
	})
	if len(chain) != 6 {
		t.Fatalf("KR4 went on as %d key results, want 6 (Q4 2026 to Q1 2028)", len(chain))
	}
	for i, k := range chain[1:] {
		if k.CarriedFrom != chain[i].ID || k.Start != chain[i].Current || k.Target != 40 {
			t.Errorf("KR%d: from KR%d at %v to %v; want from KR%d at %v to 40", k.ID, k.CarriedFrom, k.Start, k.Target, chain[i].ID, chain[i].Current)
		}
	}
	if last := chain[len(chain)-1]; last.Current != 36 || last.Outcome != "" {
		t.Errorf("the last of KR4's line stands at %v (%q), want 36 and undecided", last.Current, last.Outcome)
	}
}
