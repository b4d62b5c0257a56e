package transfer

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// wantSentence checks that err carries one sentence for people that
// mentions every keyword.
func wantSentence(t *testing.T, err error, keywords ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := okrcore.ErrorMessage(err)
	if msg == "" || !unicode.IsUpper([]rune(msg)[0]) || !strings.HasSuffix(msg, ".") || strings.Contains(msg, "\n") {
		t.Fatalf("message %q (of %v) is not one sentence for people", msg, err)
	}
	for _, k := range keywords {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(k)) {
			t.Errorf("message %q does not mention %q", msg, k)
		}
	}
}

// TestReadDocumentRefuses: what is not okrbot's export, or not whole, is
// refused with a reason.
func TestReadDocumentRefuses(t *testing.T) {
	s, _ := seeded(t)
	a := export(t, s, "acme", "")
	head := `{"format":"okrbot-export","version":1,` + "\n"
	for _, tc := range []struct {
		name     string
		in       string
		max      int64
		keywords []string
	}{
		{"empty", "", 0, []string{"cut off"}},
		{"not JSON", "Id,Title,Owner\n1,Grow,ann\n", 0, []string{"not JSON"}},
		{"a JSON list", "[1,2]", 0, []string{"not an object"}},
		{"another format", `{"format":"vivagoals","version":1}`, 0, []string{"vivagoals"}},
		{"no format first", `{"version":1,"format":"okrbot-export"}`, 0, []string{"not an okrbot export"}},
		{"a newer version", `{"format":"okrbot-export","version":2,"workspace":{}}`, 0, []string{"version 2", "upgrade"}},
		{"version zero", `{"format":"okrbot-export","version":0}`, 0, []string{"version 0"}},
		{"no version", `{"format":"okrbot-export","people":[]}`, 0, []string{"version"}},
		{"truncated", string(a[:len(a)/2]), 0, []string{"cut off"}},
		{"truncated in the header", `{"format":"okrbot-exp`, 0, []string{"cut off"}},
		{"malformed", head + `"workspace":{"id":"x"},` + "\n" + `"people":[{"id":1,,}]}`, 0, []string{"not valid JSON", "person number 1"}},
		{"a field nobody knows", head + `"workspace":{"id":"x"},"goals":[]}`, 0, []string{"goals"}},
		{"a record field nobody knows", head + `"workspace":{"id":"x"},"teams":[{"id":1,"colour":"red"}]}`, 0, []string{"colour", "team number 1"}},
		{"a value of the wrong kind", head + `"workspace":{"id":"x"},"cycles":[{"id":"one"}]}`, 0, []string{"cycle number 1", "wrong kind"}},
		{"a bad time", head + `"workspace":{"id":"x"},"check_ins":[{"id":1,"at":"yesterday"}]}`, 0, []string{"check-in number 1"}},
		{"twice a list", head + `"workspace":{"id":"x"},"kpis":[],"kpis":[]}`, 0, []string{"twice"}},
		{"no workspace", head + `"people":[]}`, 0, []string{"workspace"}},
		{"two documents", string(a) + string(a), 0, []string{"after the end"}},
		{"over the limit", string(a), 1000, []string{"larger than the limit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadDocument(strings.NewReader(tc.in), tc.max)
			if d != nil {
				t.Errorf("read %+v", d)
			}
			wantSentence(t, err, tc.keywords...)
		})
	}
	if _, err := ReadDocument(bytes.NewReader(a), int64(len(a))); err != nil {
		t.Errorf("an export of exactly the limit: %v", err)
	}
}

// TestImportRefusesBadDocuments: a document that reads but cannot be
// imported as a whole is refused before anything is written.
func TestImportRefusesBadDocuments(t *testing.T) {
	s, _ := seeded(t)
	a := export(t, s, "acme", "")
	for _, tc := range []struct {
		name     string
		change   func(d *Document)
		into     string
		keywords []string
	}{
		{"a check-in whose key result is missing", func(d *Document) { d.CheckIns[7].TargetID = 9999 }, "", []string{"check-in", "key result 9999"}},
		{"a check-in by nobody known", func(d *Document) { d.CheckIns[0].Author = 777 }, "", []string{"person 777"}},
		{"an alignment loop", func(d *Document) {
			d.Objectives[0].ParentKR, d.Objectives[0].ParentObjective = 0, d.Objectives[1].ID
			d.Objectives[1].ParentKR, d.Objectives[1].ParentObjective = 0, d.Objectives[0].ID
		}, "", []string{"aligned"}},
		{"a team loop", func(d *Document) { d.Teams[0].Parent, d.Teams[1].Parent = d.Teams[1].ID, d.Teams[0].ID }, "", []string{"team", "under"}},
		{"a key result without a target", func(d *Document) { d.KeyResults[3].Target = d.KeyResults[3].Start }, "", []string{"key result", "target"}},
		{"a title too long", func(d *Document) { d.Objectives[2].Title = strings.Repeat("x", 300) }, "", []string{"objective", "too long"}},
		{"a record of another workspace", func(d *Document) { d.KPIs[0].Workspace = "other" }, "", []string{"other"}},
		{"an id twice", func(d *Document) { d.People[1].ID = d.People[0].ID }, "", []string{"twice"}},
		{"a record without an id", func(d *Document) { d.Initiatives[0].ID = 0 }, "", []string{"without an id"}},
		{"into another workspace that holds OKRs", func(*Document) {}, "busy", []string{"busy", "empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := openStore(t)
			if tc.into != "" {
				importDoc(t, to, a, Options{Workspace: tc.into})
			}
			before := exportOrNil(t, to, tc.into)
			d := readDoc(t, a)
			tc.change(d)
			sum, err := Import(ctx, to, d, Options{Batch: 20, Workspace: tc.into})
			if sum != nil {
				t.Errorf("summary %+v", sum)
			}
			wantSentence(t, err, tc.keywords...)
			assertEmpty(t, to, "acme")
			if after := exportOrNil(t, to, tc.into); !bytes.Equal(before, after) {
				t.Errorf("a refused import changed %s", tc.into)
			}
		})
	}
}

func exportOrNil(t *testing.T, s okrcore.Store, ws string) []byte {
	t.Helper()
	if ws == "" {
		return nil
	}
	return export(t, s, ws, "")
}

func FuzzReadDocument(f *testing.F) {
	s := openStore(f)
	if _, err := storagetest.GenerateOrg(ctx, s, storagetest.OrgSpec{Workspace: "w", Users: 3, Teams: 1, Objectives: 1, KeyResults: 2, CheckInsPerKR: 1}); err != nil {
		f.Fatal(err)
	}
	small := export(f, s, "w", "")
	f.Add(small)
	f.Add(small[:len(small)/3])
	f.Add([]byte(`{"format":"okrbot-export","version":1,"workspace":{"id":"w"}}`))
	f.Add([]byte(`{"format":"okrbot-export","version":7}`))
	f.Add([]byte(`[{"ID":1}]`))
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := ReadDocument(bytes.NewReader(in), 1<<20)
		if err != nil {
			if okrcore.ErrorMessage(err) == "" {
				t.Fatalf("refusal without a reason for people: %v", err)
			}
			return
		}
		if d.Workspace == nil || d.Format != DocumentFormat || d.Version < 1 || d.Version > DocumentVersion {
			t.Fatalf("accepted %+v", d)
		}
	})
}
