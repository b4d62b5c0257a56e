package sheet

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkReadTemplate reads a template of 10,000 objectives with three
// key results each, owned by 2,000 people in 100 teams.
func BenchmarkReadTemplate(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("Ref,Type,Title,Parent,Owner,Team,Cycle,Cycle Start,Cycle End,Metric,Unit,Start,Target,Current\n")
	for i := range 10_000 {
		fmt.Fprintf(&buf, "O%d,objective,Objective %d,,person%d@example.com,Team %d,Q1 2026,2026-01-01,2026-03-31,,,,,\n", i, i, i%2000, i%100)
		for j := range 3 {
			fmt.Fprintf(&buf, "KR%d.%d,key result,Key result %d.%d,O%d,person%d@example.com,Team %d,,,,number,deals,0,%d,%d.5\n", i, j, i, j, i, (i+j)%2000, i%100, 10+j, j)
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Read("bench.csv", bytes.NewReader(data), int64(len(data)), Options{})
		if err != nil || len(p.Items) != 40_000 {
			b.Fatalf("read %v", err)
		}
	}
}
