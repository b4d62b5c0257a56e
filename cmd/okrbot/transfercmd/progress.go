package transfercmd

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/okrbot/okrbot/transfer"
)

// progressLine shows how far an import or export has come. On a terminal
// it is one line rewritten every couple of seconds; in a log or a pipe it
// is a plain line every ten seconds, so that a cron job's mail is not a
// wall of numbers. Nothing is shown for work done before the first
// interval: a small import prints its summary and nothing else.
type progressLine struct {
	w   io.Writer
	tty bool
	now func() time.Time

	// mu keeps the line whole when the work reports from several
	// goroutines.
	mu sync.Mutex

	began  time.Time // of the command, for the first interval
	phase  string
	since  time.Time // when phase began
	from   int       // Done when phase began, for the rate
	last   time.Time // when a line was last shown
	onLine bool      // a terminal line is showing and wants its newline
}

func newProgressLine(w io.Writer, tty bool, now func() time.Time) *progressLine {
	return &progressLine{w: w, tty: tty, now: now, began: now()}
}

// every is how often a line is shown.
func (p *progressLine) every() time.Duration {
	if p.tty {
		return 2 * time.Second
	}
	return 10 * time.Second
}

// update takes the latest progress and shows it when a line is due.
func (p *progressLine) update(pr transfer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.now()
	if pr.Phase != p.phase {
		p.phase, p.since, p.from = pr.Phase, t, pr.Done
	}
	due := p.last
	if due.IsZero() {
		due = p.began
	}
	if t.Sub(due) < p.every() {
		return
	}
	p.last = t
	text := progressText(pr, pr.Done-p.from, t.Sub(p.since))
	if p.tty {
		// Back to the start of the line, then clear what a longer line left.
		fmt.Fprintf(p.w, "\r%s\x1b[K", text)
		p.onLine = true
		return
	}
	fmt.Fprintln(p.w, text)
}

// end finishes a terminal line, so that what follows starts on its own.
func (p *progressLine) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.onLine {
		fmt.Fprintln(p.w)
		p.onLine = false
	}
}

// progressText is one progress line: "Writing records: 320,000 of
// 1,300,000 (52,000 a second, about 19 s left)". done is how many of
// pr.Done were done in took, the time the phase has run.
func progressText(pr transfer.Progress, done int, took time.Duration) string {
	if pr.Done == 0 && pr.Total == 0 {
		// A phase that counts nothing (reading the file, planning) is
		// only named.
		return phaseLabel(pr.Phase) + "…"
	}
	var b strings.Builder
	b.WriteString(phaseLabel(pr.Phase))
	b.WriteString(": ")
	b.WriteString(thousands(pr.Done))
	if pr.Total > 0 {
		b.WriteString(" of ")
		b.WriteString(thousands(pr.Total))
	}
	if took < time.Second || done <= 0 {
		return b.String()
	}
	rate := float64(done) / took.Seconds()
	fmt.Fprintf(&b, " (%s a second", thousands(int(rate+0.5)))
	if left := pr.Total - pr.Done; pr.Total > 0 && left > 0 {
		b.WriteString(", about ")
		b.WriteString(roughDuration(time.Duration(float64(left) / rate * float64(time.Second))))
		b.WriteString(" left")
	}
	b.WriteString(")")
	return b.String()
}

// phaseLabel names a phase of transfer.Progress for people.
func phaseLabel(phase string) string {
	switch phase {
	case "read":
		return "Reading the file"
	case "plan":
		return "Planning"
	case "write":
		return "Writing records"
	case "export":
		return "Exporting records"
	case "":
		return "Working"
	}
	return strings.ToUpper(phase[:1]) + phase[1:]
}

// roughDuration is a time left as people say it: "19 s", "4 min".
func roughDuration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s < 1:
		return "1 s"
	case s < 90:
		return strconv.Itoa(s) + " s"
	case s < 90*60:
		return strconv.Itoa((s+30)/60) + " min"
	}
	return strconv.Itoa((s+1800)/3600) + " h"
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
