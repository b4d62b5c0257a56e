package kit

import (
	"context"
	"sync"
	"testing"

	"github.com/okrbot/okrbot/chat"
)

type nopHandler struct{}

func (nopHandler) Handle(context.Context, chat.Event, chat.Responder) {}

func TestRunOnceStart(t *testing.T) {
	tests := []struct {
		name    string
		calls   []chat.Handler
		wantErr []string
	}{
		{"once", []chat.Handler{nopHandler{}}, []string{""}},
		{"no handler", []chat.Handler{nil}, []string{"slack: Run needs a handler"}},
		{"twice", []chat.Handler{nopHandler{}, nopHandler{}}, []string{"", "slack: Run called twice"}},
		{"nil does not use up the one Run", []chat.Handler{nil, nopHandler{}}, []string{"slack: Run needs a handler", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRunOnce("slack")
			if r.Handler() != nil {
				t.Fatal("a handler before Start")
			}
			for i, h := range tt.calls {
				err := r.Start(h)
				if got := errText(err); got != tt.wantErr[i] {
					t.Errorf("Start #%d: %q, want %q", i+1, got, tt.wantErr[i])
				}
			}
		})
	}
}

func TestRunOnceKeepsTheFirstHandler(t *testing.T) {
	r := NewRunOnce("teams")
	first := &countingHandler{}
	if err := r.Start(first); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(&countingHandler{}); err == nil {
		t.Fatal("a second Start was accepted")
	}
	if r.Handler() != first {
		t.Errorf("Handler = %v, want the first", r.Handler())
	}
}

func TestRunOnceOneOfManyStarts(t *testing.T) {
	r := NewRunOnce("shell")
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Go(func() {
			if r.Start(nopHandler{}) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 1 {
		t.Errorf("%d Starts succeeded, want 1", ok)
	}
}

func TestRunOnceRunning(t *testing.T) {
	r := NewRunOnce("slack")
	steps := []bool{true, false, true}
	if r.Running() {
		t.Fatal("running before SetRunning")
	}
	for _, on := range steps {
		r.SetRunning(on)
		if r.Running() != on {
			t.Errorf("after SetRunning(%v): Running = %v", on, r.Running())
		}
	}
}

type countingHandler struct{ n int }

func (c *countingHandler) Handle(context.Context, chat.Event, chat.Responder) { c.n++ }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
