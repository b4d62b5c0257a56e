package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// figures are the summary line's key=value pairs, in the order added.
type figures struct{ keys, vals []string }

func (f *figures) add(key string, v any) {
	var s string
	switch v := v.(type) {
	case float64:
		s = strconv.FormatFloat(v, 'f', 3, 64)
	case time.Duration:
		s = strconv.FormatFloat(float64(v)/float64(time.Millisecond), 'f', 1, 64)
	default:
		s = fmt.Sprint(v)
	}
	f.keys, f.vals = append(f.keys, key), append(f.vals, s)
}

func (f figures) String() string {
	parts := make([]string, len(f.keys))
	for i := range f.keys {
		parts[i] = f.keys[i] + "=" + f.vals[i]
	}
	return strings.Join(parts, " ")
}

// quantile is the q-th quantile of ds (0 when empty), by rank.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// progress writes a line to stderr every so often while a scenario runs,
// with whatever its current status says.
type progress struct {
	w     io.Writer
	name  string
	start time.Time

	mu     sync.Mutex // guards status, and each line written
	status func() string
	done   chan struct{}
	wg     sync.WaitGroup
}

func newProgress(w io.Writer, name string, every time.Duration) *progress {
	p := &progress{w: w, name: name, start: time.Now(), done: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.line()
			case <-p.done:
				return
			}
		}
	})
	return p
}

// phase says what the scenario does now, and how to tell its progress.
func (p *progress) phase(what string, status func() string) {
	p.mu.Lock()
	p.status = func() string {
		if status == nil {
			return what
		}
		return what + ": " + status()
	}
	p.mu.Unlock()
	p.line()
}

func (p *progress) line() {
	p.mu.Lock()
	st := p.status
	p.mu.Unlock()
	if st != nil {
		p.note(st())
	}
}

// note writes one line now.
func (p *progress) note(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "okrload %s %6.1fs %s\n", p.name, time.Since(p.start).Seconds(), s)
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}
