package vivagoals_test

import (
	"testing"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/okrbot/okrbot/transfer/vivagoals"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// fuzzLimits keep a fuzzed bomb small.
func fuzzLimits() vivagoals.Limits {
	return vivagoals.Limits{MaxFileBytes: 1 << 20, MaxUncompressedBytes: 8 << 20, MaxRatio: 100, MaxEntries: 100, MaxRecordBytes: 1 << 20}
}

// checkRead holds what every read must give: a programme whose references
// are to its own records, or a refusal with a reason for people.
func checkRead(t *testing.T, p *transfer.Programme, err error) {
	t.Helper()
	if err != nil {
		if okrcore.ErrorKindOf(err) != okrcore.KindInvalid || okrcore.ErrorMessage(err) == "" {
			t.Fatalf("not a refusal with a reason: %v", err)
		}
		return
	}
	kinds := map[transfer.Key]transfer.ItemKind{}
	for _, it := range p.Items {
		if it.Key != "" {
			kinds[it.Key] = it.Kind
		}
	}
	for _, it := range p.Items {
		if it.Parent != "" && it.Parent == it.Key {
			t.Fatalf("%s sits under itself", it.Record)
		}
		if it.Kind == transfer.ItemKeyResult && it.Start == it.Target && it.Metric != okrcore.MetricMilestone {
			t.Fatalf("%s measures nothing: %v to %v", it.Record, it.Start, it.Target)
		}
	}
	for _, c := range checkInsOf(t, p) {
		if kinds[c.Item] != transfer.ItemKeyResult {
			t.Fatalf("%s is of %s, not a key result", c.Record, c.Item)
		}
		if c.At.IsZero() {
			t.Fatalf("%s has no date", c.Record)
		}
	}
}

// FuzzRead reads any bytes as a zip.
func FuzzRead(f *testing.F) {
	for _, s := range []vivagoalstest.Spec{{}, {Fault: vivagoalstest.Truncated}, {Fault: vivagoalstest.MalformedJSON}, {Fault: vivagoalstest.EscapingPath}} {
		f.Add(build(f, s))
	}
	f.Add(minimal(f, `[{"ID": 1, "Title": "A", "Type": "Kpi"}]`, `[{"ID": 1, "OKR ID": 1, "CheckIn Date": "2025-07-07"}]`))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := read(b, fuzzLimits())
		checkRead(t, p, err)
	})
}

// FuzzReadRecords reads any objectives and checkins in an export whose
// other files are good.
func FuzzReadRecords(f *testing.F) {
	f.Add(`[{"ID": 1, "Title": "A", "Type": "Big rock"}, {"ID": 2, "Title": "B", "Type": "Kpi", "Parent IDs": [1], "Outcome": {"Outcome Type": "Metric", "Start": 5, "Target": 5, "Target Type": "Stay above"}}]`,
		`[{"ID": 1, "OKR ID": 2, "CheckIn Date": "07/07/2025", "Check In Owner": {"ID": 9, "Name": "X"}, "Current Value": "3", "Check In Note": {"Check In Note HTML": "<p>a<br>b &amp; c</p>"}}]`)
	f.Add(`[{"ID": "a", "Title": "A", "Type": "Project", "Parent IDs": ["b"]}, {"ID": "b", "Title": "B", "Type": "Project", "Parent IDs": ["a"]}]`, `[{"OKR ID": "a"}]`)
	f.Add(`[{"ID": 1, "Type": "Kpi", "Outcome": {"Outcome Type": "Percentage", "Start": 3, "Target": 3}, "Alignment": {"ID": 1, "Weight": "-5%"}}]`, `[1, "x", null, {}]`)
	f.Add("[", "]")
	f.Fuzz(func(t *testing.T, objectives, checkins string) {
		p, err := read(minimal(t, objectives, checkins), fuzzLimits())
		checkRead(t, p, err)
	})
}
