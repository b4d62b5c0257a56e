package kit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestReadBody(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		max        int64
		ok         bool
		status     int
	}{
		{"within", "hello", 10, true, 200},
		{"at the limit", "0123456789", 10, true, 200},
		{"too large", "0123456789x", 10, false, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			body, ok := ReadBody(w, r, tt.max)
			if ok != tt.ok || w.Code != tt.status {
				t.Fatalf("ok=%v status=%d, want ok=%v status=%d", ok, w.Code, tt.ok, tt.status)
			}
			if ok && string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if !ok && strings.Contains(w.Body.String(), "http.") {
				t.Errorf("the answer names the code: %q", w.Body.String())
			}
		})
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := Sleep(context.Background(), time.Second); err != nil {
			t.Fatalf("a full sleep: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := Sleep(ctx, time.Hour); err == nil {
			t.Fatal("a cancelled sleep returned nil")
		}
		if took := time.Since(start); took != 10*time.Millisecond {
			t.Errorf("a cancelled sleep took %s, want 10ms", took)
		}
	})
}
