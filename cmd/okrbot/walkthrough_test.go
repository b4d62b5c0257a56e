package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/shell"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// readmeWalkthrough reads a README session, the first shell block after
// the sentence that starts with intro ("To watch a week go by"): the
// command's arguments and the lines typed, without prompts and comments.
func readmeWalkthrough(t *testing.T, intro string) (args, lines []string) {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), intro)
	if !ok {
		t.Fatalf("the README has no walkthrough after %q", intro)
	}
	_, rest, _ = strings.Cut(rest, "```sh\n")
	block, _, _ := strings.Cut(rest, "```")
	prompt := regexp.MustCompile(`^[a-z]+> `)
	for i, l := range strings.Split(strings.TrimSpace(block), "\n") {
		if i == 0 {
			cmd, ok := strings.CutPrefix(l, "go run ./cmd/okrbot ")
			if !ok {
				t.Fatalf("the walkthrough starts with %q", l)
			}
			args = strings.Fields(cmd)
			continue
		}
		if !prompt.MatchString(l) {
			t.Fatalf("walkthrough line %q is not typed at a prompt", l)
		}
		l = prompt.ReplaceAllString(l, "")
		if c := strings.Index(l, " #"); c >= 0 {
			l = l[:c]
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	return args, lines
}

// playWalkthrough plays the README session after intro in the terminal
// chat, its lines on standard input, on a fresh database in place of the
// one it names; it returns that database's path, the chat and what went
// to standard error.
func playWalkthrough(t *testing.T, intro string) (db, chat, errOut string) {
	t.Helper()
	args, lines := readmeWalkthrough(t, intro)
	db = filepath.Join(t.TempDir(), "walk.db")
	for i := range args {
		if args[i] == "--db" && i+1 < len(args) {
			args[i+1] = db
		}
	}
	if !strings.Contains(strings.Join(args, " "), "--db "+db) {
		t.Fatalf("the walkthrough names no fresh database: %v", args)
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, &errs, noEnv); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	return db, out.String(), errs.String()
}

// TestReadmeWeekWalkthrough runs the README's week on a moved clock,
// exactly as written there, through the terminal chat with its lines on
// standard input. The clock's jumps are not downtime: the people in US
// time zones (dana in New York, gina and hank in Chicago, bob in Los
// Angeles), whose Monday 10:00 falls inside `/clock +1d`, get their
// nudges at that time, and nothing is logged as skipped, in the chat or
// beside it. Others' messages wait for them rather than being printed
// among alice's.
func TestReadmeWeekWalkthrough(t *testing.T) {
	db, chat, errOut := playWalkthrough(t, "To watch a week go by")
	for _, bad := range []string{"level=WARN", "skipped", "WARN"} {
		if strings.Contains(chat, bad) {
			t.Errorf("the chat shows %q:\n%s", bad, chat)
		}
	}
	if strings.Contains(errOut, "skipped") {
		t.Errorf("the clock's jump was logged as downtime:\n%s", errOut)
	}

	store := bottest.Store(t, bottest.File(db), bottest.Fsync(true))
	zones := map[string]string{"dana": "America/New_York", "gina": "America/Chicago", "hank": "America/Chicago", "bob": "America/Los_Angeles"}
	for name, tz := range zones {
		loc, _ := time.LoadLocation(tz)
		due := time.Date(2026, 11, 23, 10, 0, 0, 0, loc)
		it := bottest.Read(t, store, func(tx okrcore.Tx) (*okrcore.OutboxItem, error) {
			u, err := tx.UserByPlatform(shell.Workspace, shell.Platform, name)
			if err != nil {
				return nil, err
			}
			return tx.OutboxByKey(shell.Workspace, fmt.Sprintf("checkin:u%d:%s", u.ID, okrcore.PeriodKey(okrcore.Weekly, due, loc)))
		})
		if it.State != okrcore.OutboxSent || !it.DueAt.Equal(due) {
			t.Errorf("%s's Monday nudge: %s, due %s; want sent, due Monday 10:00 in %s", name, it.State, it.DueAt, tz)
		}
	}

	// The screen: alice's own nudge; the others' announced, not shown;
	// bob's once she is bob; Friday's digest in #sales.
	beforeBob, asBob, _ := strings.Cut(chat, "alice> /as bob")
	for _, w := range []string{"[to alice]\nHi alice! Time for your weekly check-in", "1 for bob", "1 for dana", "1 for gina", "1 for hank"} {
		if !strings.Contains(beforeBob, w) {
			t.Errorf("before /as bob the chat lacks %q:\n%s", w, beforeBob)
		}
	}
	if strings.Contains(beforeBob, "[to bob]") || strings.Contains(beforeBob, "Hi bob") {
		t.Errorf("bob's nudge was printed among alice's messages:\n%s", beforeBob)
	}
	for _, w := range []string{"You are now bob.\n[to bob]\nHi bob! Time for your weekly check-in", "[to #sales]\n== Team Sales"} {
		if !strings.Contains(asBob, w) {
			t.Errorf("after /as bob the chat lacks %q:\n%s", w, asBob)
		}
	}
}
