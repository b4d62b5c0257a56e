package kit

import (
	"io"
	"net/http"
)

// Health answers GET /healthz for an adapter: 200 "ok" while it runs, 503
// "starting" before, so that nothing counts on it before Run has begun.
type Health struct{ running func() bool }

// NewHealth returns the handler that asks running (RunOnce.Running).
func NewHealth(running func() bool) Health { return Health{running: running} }

func (h Health) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	if !h.running() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}
