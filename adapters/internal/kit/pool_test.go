package kit

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// blocked is a job that runs until release is closed.
func blocked(release <-chan struct{}, done *atomic.Int32) func() {
	return func() {
		<-release
		done.Add(1)
	}
}

func TestPoolRefusesOutsideStartAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(2, 4)
		var done atomic.Int32
		job := func() { done.Add(1) }
		if p.Submit(job, time.Second) {
			t.Error("a job taken before Start")
		}
		p.Start()
		if !p.Submit(job, 0) {
			t.Error("a job refused while started")
		}
		p.Stop()
		if p.Submit(job, time.Second) {
			t.Error("a job taken after Stop")
		}
		p.Stop() // twice is fine
		if done.Load() != 1 {
			t.Errorf("%d jobs ran, want 1", done.Load())
		}
	})
}

func TestPoolFullRefuses(t *testing.T) {
	tests := []struct {
		name string
		wait time.Duration
	}{
		{"at once without a wait", 0},
		{"at once with a negative wait", -time.Second},
		{"after the wait", 200 * time.Millisecond},
		{"after a long wait", time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := NewPool(1, 1)
				p.Start()
				release := make(chan struct{})
				var done atomic.Int32
				if !p.Submit(blocked(release, &done), 0) {
					t.Fatal("the first job was refused")
				}
				synctest.Wait() // the worker holds it
				if !p.Submit(blocked(release, &done), 0) {
					t.Fatal("the queued job was refused")
				}
				start := time.Now()
				if p.Submit(blocked(release, &done), tt.wait) {
					t.Error("a full pool took a job")
				}
				if took, want := time.Since(start), max(tt.wait, 0); took != want {
					t.Errorf("refused after %s, want %s", took, want)
				}
				close(release)
				p.Stop()
				if done.Load() != 2 {
					t.Errorf("%d jobs ran, want 2", done.Load())
				}
			})
		})
	}
}

func TestPoolSubmitWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(1, 1)
		p.Start()
		release := make(chan struct{})
		var done atomic.Int32
		p.Submit(blocked(release, &done), 0)
		synctest.Wait()
		p.Submit(blocked(release, &done), 0)
		took := make(chan bool)
		go func() { took <- p.Submit(func() { done.Add(1) }, time.Minute) }()
		synctest.Wait()
		select {
		case <-took:
			t.Fatal("Submit returned with the pool full and time left to wait")
		default:
		}
		close(release)
		if !<-took {
			t.Fatal("the waiting job was refused though room came within the wait")
		}
		p.Stop()
		if done.Load() != 3 {
			t.Errorf("%d jobs ran, want 3", done.Load())
		}
	})
}

func TestPoolStopFinishesQueuedJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(2, 10)
		p.Start()
		release := make(chan struct{})
		var done atomic.Int32
		for range 10 {
			if !p.Submit(blocked(release, &done), 0) {
				t.Fatal("refused within the queue's room")
			}
		}
		stopped := make(chan struct{})
		go func() {
			p.Stop()
			close(stopped)
		}()
		synctest.Wait()
		select {
		case <-stopped:
			t.Fatal("Stop returned while jobs were still queued")
		default:
		}
		close(release)
		<-stopped
		if done.Load() != 10 {
			t.Errorf("%d jobs ran, want 10", done.Load())
		}
	})
}

func TestPoolWorkersRunAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(3, 0)
		p.Start()
		release := make(chan struct{})
		var done atomic.Int32
		for i := range 3 {
			synctest.Wait() // an idle worker waits for each
			if !p.Submit(blocked(release, &done), 0) {
				t.Fatalf("job %d refused with a worker idle", i+1)
			}
		}
		synctest.Wait()
		if p.Submit(blocked(release, &done), 0) {
			t.Error("a fourth job taken with every worker busy and no queue")
		}
		close(release)
		p.Stop()
		if done.Load() != 3 {
			t.Errorf("%d jobs ran, want 3", done.Load())
		}
	})
}
