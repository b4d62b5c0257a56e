package kit

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealth(t *testing.T) {
	tests := []struct {
		name     string
		running  bool
		status   int
		body     string
		ctPrefix string
	}{
		{"before Run", false, http.StatusServiceUnavailable, "starting\n", "text/plain"},
		{"while running", true, http.StatusOK, "ok\n", "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRunOnce("slack")
			r.SetRunning(tt.running)
			rec := httptest.NewRecorder()
			NewHealth(r.Running).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Errorf("%d %q, want %d %q", rec.Code, rec.Body.String(), tt.status, tt.body)
			}
			if ct := rec.Header().Get("Content-Type"); len(ct) < len(tt.ctPrefix) || ct[:len(tt.ctPrefix)] != tt.ctPrefix {
				t.Errorf("Content-Type %q, want %q…", ct, tt.ctPrefix)
			}
		})
	}
}
