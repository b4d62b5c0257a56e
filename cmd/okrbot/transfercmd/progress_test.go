package transfercmd

import (
	"bytes"
	"testing"
	"time"

	"github.com/okrbot/okrbot/transfer"
)

func TestProgressText(t *testing.T) {
	tests := []struct {
		name string
		pr   transfer.Progress
		done int
		took time.Duration
		want string
	}{
		{"the example", transfer.Progress{Phase: "write", Done: 320_000, Total: 1_300_000}, 312_000, 6 * time.Second,
			"Writing records: 320,000 of 1,300,000 (52,000 a second, about 19 s left)"},
		{"minutes left", transfer.Progress{Phase: "write", Done: 1000, Total: 100_000}, 1000, 10 * time.Second,
			"Writing records: 1,000 of 100,000 (100 a second, about 17 min left)"},
		{"hours left", transfer.Progress{Phase: "export", Done: 10, Total: 10_000_000}, 10, 10 * time.Second,
			"Exporting records: 10 of 10,000,000 (1 a second, about 2778 h left)"},
		{"no total", transfer.Progress{Phase: "plan", Done: 1234}, 1234, 2 * time.Second, "Planning: 1,234 (617 a second)"},
		{"finished", transfer.Progress{Phase: "write", Done: 50, Total: 50}, 50, 2 * time.Second, "Writing records: 50 of 50 (25 a second)"},
		{"nothing counted", transfer.Progress{Phase: "read"}, 0, 3 * time.Second, "Reading the file…"},
		{"too soon for a rate", transfer.Progress{Phase: "write", Done: 10, Total: 90}, 10, 0, "Writing records: 10 of 90"},
		{"a phase of its own", transfer.Progress{Phase: "check-ins", Done: 3, Total: 9}, 0, 3 * time.Second, "Check-ins: 3 of 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressText(tt.pr, tt.done, tt.took); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1_300_000: "1,300,000", -45_000: "-45,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestProgressLine(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	type step struct {
		after time.Duration // since the start
		done  int
	}
	steps := []step{{0, 0}, {time.Second, 10_000}, {2 * time.Second, 20_000}, {3 * time.Second, 30_000}, {4 * time.Second, 40_000},
		{9 * time.Second, 90_000}, {10 * time.Second, 100_000}, {11 * time.Second, 110_000}}
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{"terminal: rewritten every 2 s", true,
			"\rWriting records: 20,000 of 200,000 (10,000 a second, about 18 s left)\x1b[K" +
				"\rWriting records: 40,000 of 200,000 (10,000 a second, about 16 s left)\x1b[K" +
				"\rWriting records: 90,000 of 200,000 (10,000 a second, about 11 s left)\x1b[K" +
				"\rWriting records: 110,000 of 200,000 (10,000 a second, about 9 s left)\x1b[K\n"},
		{"log: a line every 10 s", false, "Writing records: 100,000 of 200,000 (10,000 a second, about 10 s left)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: start}
			var b bytes.Buffer
			p := newProgressLine(&b, tt.tty, clock.now)
			for _, s := range steps {
				clock.t = start.Add(s.after)
				p.update(transfer.Progress{Phase: "write", Done: s.done, Total: 200_000})
			}
			p.end()
			if b.String() != tt.want {
				t.Errorf("got  %q\nwant %q", b.String(), tt.want)
			}
		})
	}
}

func TestProgressLineSaysNothingOfQuickWork(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	var b bytes.Buffer
	p := newProgressLine(&b, true, clock.now)
	for i := range 10 {
		clock.t = clock.t.Add(100 * time.Millisecond)
		p.update(transfer.Progress{Phase: "write", Done: i, Total: 10})
	}
	p.end()
	if b.Len() != 0 {
		t.Errorf("a one-second import showed %q", b.String())
	}
}
