package kit

import (
	"sync"
	"time"
)

// Pool runs work on a fixed number of workers behind a bounded queue. The
// platform has had its acknowledgement before the work is submitted, so a
// full queue refuses (and the adapter asks the platform to retry) rather
// than let requests pile up without bound.
type Pool struct {
	workers int
	jobs    chan func()
	wg      sync.WaitGroup

	// mu makes Stop wait for a Submit in progress, so that no job is sent
	// on the closed queue.
	mu      sync.RWMutex
	started bool
	stopped bool
}

// NewPool returns a pool of workers (at least one) with room for queue
// waiting jobs. It takes no work until Start.
func NewPool(workers, queue int) *Pool {
	return &Pool{workers: max(workers, 1), jobs: make(chan func(), max(queue, 0))}
}

// Start starts the workers.
func (p *Pool) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.stopped {
		return
	}
	p.started = true
	for range p.workers {
		p.wg.Go(func() {
			for job := range p.jobs {
				job()
			}
		})
	}
}

// Submit queues job, waiting up to wait for room; it reports false when
// there was none, or the pool is not started or already stopped.
func (p *Pool) Submit(job func(), wait time.Duration) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if !p.started || p.stopped {
		return false
	}
	select {
	case p.jobs <- job:
		return true
	default:
	}
	if wait <= 0 {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case p.jobs <- job:
		return true
	case <-t.C:
		return false
	}
}

// Stop refuses new jobs and waits until the workers have finished the
// queued ones.
func (p *Pool) Stop() {
	p.mu.Lock()
	if !p.stopped {
		p.stopped = true
		close(p.jobs)
	}
	p.mu.Unlock()
	p.wg.Wait()
}
