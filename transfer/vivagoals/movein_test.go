package vivagoals_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/vivagoals"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// A champion's move: Acme's Viva Goals export goes into a new okrbot, and
// the people who had OKRs there find them, with their history, the first
// time they write to the bot from Slack; a second import changes nothing.

// moveIn is the kit in the last week of Acme's Q3 2025, with the realistic
// export imported into its Slack workspace.
func moveIn(t *testing.T) (*bottest.Kit, *transfer.Summary) {
	t.Helper()
	k := bottest.New(t, bottest.Workspace("TACME", "slack"), bottest.Start(time.Date(2025, 9, 30, 18, 0, 0, 0, time.UTC)))
	return k, importExport(t, k, false)
}

func importExport(t *testing.T, k *bottest.Kit, dry bool) *transfer.Summary {
	t.Helper()
	var zip bytes.Buffer
	if err := vivagoalstest.Build(&zip, vivagoalstest.Spec{}); err != nil {
		t.Fatal(err)
	}
	prog, err := vivagoals.Read(bytes.NewReader(zip.Bytes()), int64(zip.Len()), vivagoals.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	sum, err := transfer.Import(context.Background(), k.DB, prog, transfer.Options{Workspace: k.Workspace, Platform: k.PlatformName, Now: k.Clock.Now(), DryRun: dry})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// from is an event of a Slack account whose verified address Slack gives.
func from(k *bottest.Kit, user, email, text string) chat.Event {
	ev := k.Event(user, chat.EventMessage)
	ev.Email, ev.EmailVerified, ev.Text = email, true, text
	return ev
}

func export(t *testing.T, k *bottest.Kit) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := transfer.Export(context.Background(), k.DB, k.Workspace, "", &b, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func krTitled(t *testing.T, k *bottest.Kit, title string) *okrcore.KeyResult {
	t.Helper()
	return bottest.Read(t, k.DB, func(tx okrcore.Tx) (*okrcore.KeyResult, error) {
		cs, err := tx.Cycles(k.Workspace)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			krs, err := tx.KeyResultsByCycle(k.Workspace, c.ID)
			if err != nil {
				return nil, err
			}
			for _, kr := range krs {
				if kr.Title == title {
					return kr, nil
				}
			}
		}
		t.Fatalf("no key result %q was imported", title)
		return nil, nil
	})
}

func TestMoveInFromVivaGoals(t *testing.T) {
	k, sum := moveIn(t)
	want := map[transfer.Kind]int{transfer.KindCycle: 4, transfer.KindTeam: 5, transfer.KindObjective: 8, transfer.KindCheckIn: 56}
	for kind, n := range want {
		if got := sum.Counts[kind].Created; got < n {
			t.Errorf("%s created: %d, want at least %d", kind, got, n)
		}
	}
	if len(sum.Warnings) == 0 {
		t.Error("the export has a key result whose parent is missing and an owner who left, but the import warned of nothing")
	}
	var warned strings.Builder
	for _, w := range sum.Warnings {
		warned.WriteString(w.String() + "\n")
	}
	for _, about := range []string{"Oscar Berg", "9999"} {
		if !strings.Contains(warned.String(), about) {
			t.Errorf("no warning names %q:\n%s", about, warned.String())
		}
	}

	// Ana writes from Slack for the first time: her verified address joins
	// her to the Ana García of the export.
	arr := krTitled(t, k, "Grow ARR to $5M")
	if arr.Current != 3_000_000+80_000*12 {
		t.Errorf("ARR current = %v, want the latest check-in's value", arr.Current)
	}
	if arr.Direction != okrcore.Increase || arr.Start != 3_000_000 || arr.Target != 5_000_000 {
		t.Errorf("ARR measure = %v %v→%v", arr.Direction, arr.Start, arr.Target)
	}
	churn := krTitled(t, k, "Cut monthly churn to 2%")
	if churn.Direction != okrcore.Decrease {
		t.Errorf("churn direction = %v, want decrease", churn.Direction)
	}
	mine := bottest.Text(k.Process(from(k, "UANA", "Ana.Garcia@example.com", "mine")))
	if !strings.Contains(mine, "Grow ARR to $5M") {
		t.Errorf("Ana's /okr mine after the import does not show her key result:\n%s", mine)
	}
	hist := bottest.Text(k.Process(from(k, "UBEATRIZ", "chloe.dubois@example.com", "history "+churn.Ref().String())))
	if !strings.Contains(hist, "falling") || strings.Contains(hist, "<p>") {
		t.Errorf("history of the churn key result lacks the notes (as text, not HTML):\n%s", hist)
	}
	people := bottest.Read(t, k.DB, func(tx okrcore.Tx) ([]*okrcore.User, error) { return tx.Users(k.Workspace) })
	anas := 0
	for _, u := range people {
		if strings.EqualFold(u.Email, "ana.garcia@example.com") {
			anas++
			if _, ok := u.Account("slack"); !ok {
				t.Errorf("Ana's Slack account did not join the imported Ana: %+v", u)
			}
		}
	}
	if anas != 1 {
		t.Errorf("%d people with Ana's address, want 1 (joined, not duplicated)", anas)
	}

	// The week's digest and adoption read the imported history.
	digest := bottest.Text(k.Process(from(k, "UANA", "ana.garcia@example.com", "digest Sales")))
	if !strings.Contains(digest, "churn") && !strings.Contains(digest, "Churn") {
		t.Errorf("the Sales digest does not show its key result:\n%s", digest)
	}
	adoption := bottest.Text(k.Process(from(k, "UANA", "ana.garcia@example.com", "adoption")))
	if !strings.Contains(adoption, "Sales") {
		t.Errorf("adoption does not list the imported teams:\n%s", adoption)
	}
}

func TestMoveInTwiceChangesNothing(t *testing.T) {
	k, _ := moveIn(t)
	before := export(t, k)
	if sum := importExport(t, k, true); sum.Counts[transfer.KindCheckIn].Created != 0 {
		t.Errorf("a dry run of the same export would create %d check-ins, want none", sum.Counts[transfer.KindCheckIn].Created)
	}
	sum := importExport(t, k, false)
	for _, kind := range transfer.Kinds() {
		if c := sum.Counts[kind]; c.Created != 0 || c.Updated != 0 {
			t.Errorf("second import: %s %+v, want all unchanged", kind, c)
		}
	}
	if after := export(t, k); !bytes.Equal(before, after) {
		t.Error("the export after a second import of the same file differs from the one before")
	}
}

func TestMoveInDryRunWritesNothing(t *testing.T) {
	k := bottest.New(t, bottest.Workspace("TACME", "slack"), bottest.Start(time.Date(2025, 9, 30, 18, 0, 0, 0, time.UTC)))
	sum := importExport(t, k, true)
	if !sum.DryRun || sum.Counts[transfer.KindObjective].Created == 0 {
		t.Errorf("dry run summary = %+v", sum)
	}
	ws := bottest.Read(t, k.DB, func(tx okrcore.Tx) ([]*okrcore.Workspace, error) { return tx.Workspaces() })
	if len(ws) != 0 {
		t.Errorf("a dry run into an empty database made %d workspaces", len(ws))
	}
}

func TestMoveInRoundTrip(t *testing.T) {
	k, _ := moveIn(t)
	first := export(t, k)
	doc, err := transfer.ReadDocument(bytes.NewReader(first), int64(len(first))+1)
	if err != nil {
		t.Fatal(err)
	}
	empty := bottest.New(t, bottest.Workspace("TACME", "slack"), bottest.Start(k.Clock.Now()))
	if _, err := transfer.Import(context.Background(), empty.DB, doc, transfer.Options{Workspace: empty.Workspace, Platform: "slack", Now: empty.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if again := export(t, empty); !bytes.Equal(first, again) {
		t.Errorf("export → import into an empty database → export differs (%d bytes, then %d)", len(first), len(again))
	}
}
