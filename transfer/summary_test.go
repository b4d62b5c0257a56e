package transfer

import (
	"bytes"
	"testing"
)

func TestSummaryWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Summary
		want string
	}{
		{"an import", Summary{Workspace: "acme", Counts: map[Kind]Count{
			KindObjective: {Created: 120, Updated: 3, Unchanged: 40},
			KindPerson:    {Unchanged: 7},
			KindCheckIn:   {Created: 1300000},
		}}, "people: 0 created, 0 updated, 7 unchanged\nobjectives: 120 created, 3 updated, 40 unchanged\ncheck-ins: 1300000 created, 0 updated, 0 unchanged\n"},
		{"a dry run with warnings", Summary{Workspace: "acme", DryRun: true, Counts: map[Kind]Count{KindCycle: {Created: 2}},
			Warnings: []Warning{{Record: "objective 12", Message: "its parent is missing; it is imported without one"}, {Message: "nobody is an admin"}}},
			"Dry run: nothing was written. This is what the import into workspace acme would do.\ncycles: 2 created, 0 updated, 0 unchanged\n2 warnings:\n  objective 12: its parent is missing; it is imported without one\n  nobody is an admin\n"},
		{"one warning", Summary{Counts: map[Kind]Count{KindKPI: {Updated: 1}}, Warnings: []Warning{{Record: "KPI 3", Message: "no owner"}}},
			"KPIs: 0 created, 1 updated, 0 unchanged\n1 warning:\n  KPI 3: no owner\n"},
		{"nothing", Summary{}, "Nothing to import: the source holds no records.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.s.Write(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}
