package transfer

import (
	"bufio"
	"fmt"
	"io"
)

// Write prints the summary for people: with a dry run a first line saying
// nothing was written, then one line per kind of record ("objectives: 120
// created, 3 updated, 40 unchanged"; kinds with no record left out), then
// the warnings, each with the record it concerns.
func (s *Summary) Write(w io.Writer) error {
	b := bufio.NewWriter(w)
	if s.DryRun {
		fmt.Fprintf(b, "Dry run: nothing was written. This is what the import into workspace %s would do.\n", s.Workspace)
	}
	some := false
	for _, k := range Kinds() {
		c := s.Counts[k]
		if c == (Count{}) {
			continue
		}
		some = true
		fmt.Fprintf(b, "%s: %d created, %d updated, %d unchanged\n", k, c.Created, c.Updated, c.Unchanged)
	}
	if !some {
		fmt.Fprintln(b, "Nothing to import: the source holds no records.")
	}
	switch len(s.Warnings) {
	case 0:
	case 1:
		fmt.Fprintln(b, "1 warning:")
	default:
		fmt.Fprintf(b, "%d warnings:\n", len(s.Warnings))
	}
	for _, wa := range s.Warnings {
		fmt.Fprintf(b, "  %s\n", wa)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
