package kit

import (
	"sync"
	"time"
)

// TTLSet remembers keys for a while: the ids of deliveries already handed
// to the pool, so that a platform's retry or a second copy of one event is
// dropped, or request signatures already accepted, so that none is
// replayed.
type TTLSet struct {
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	m    map[string]time.Time // key → when it is forgotten
	adds int
}

// setLimit is the size at which every Add sweeps out expired keys; below
// it they are swept every sweepEvery adds.
const (
	setLimit   = 1 << 20
	sweepEvery = 4096
)

// NewTTLSet returns a set that remembers a key for ttl by the clock now.
func NewTTLSet(ttl time.Duration, now func() time.Time) *TTLSet {
	return &TTLSet{ttl: ttl, now: now, m: map[string]time.Time{}}
}

// Add records key and reports whether it was new (or had expired).
func (s *TTLSet) Add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if exp, ok := s.m[key]; ok && now.Before(exp) {
		return false
	}
	s.adds++
	if s.adds%sweepEvery == 0 || len(s.m) >= setLimit {
		for k, exp := range s.m {
			if !now.Before(exp) {
				delete(s.m, k)
			}
		}
	}
	s.m[key] = now.Add(s.ttl)
	return true
}

// Remove forgets key, for a delivery that was refused after all (the
// platform's retry must then be taken).
func (s *TTLSet) Remove(key string) {
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}
