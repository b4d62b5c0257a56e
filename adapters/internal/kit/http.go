package kit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// ReadBody reads a request's body of at most max bytes. On failure it has
// answered the platform already (413 for a body too large, 400 otherwise,
// in words that name nothing of the code) and ok is false.
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// Sleep waits d or until ctx ends, whichever is first: a retry's wait must
// not hold a shutdown.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
