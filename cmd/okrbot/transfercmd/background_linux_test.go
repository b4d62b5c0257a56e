//go:build linux

package transfercmd

import (
	"log/slog"
	"runtime"
	"syscall"
	"testing"
)

// threadNice is the nice value of the calling goroutine's thread, which
// it locks for the call.
func threadNice(t *testing.T) int {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatalf("getpriority: %v", err)
	}
	return 20 - prio
}

func TestInBackgroundLowersOnlyItsThread(t *testing.T) {
	before := threadNice(t)
	var inside, ran int
	inBackground(slog.New(slog.DiscardHandler), func() {
		ran++
		inside = threadNice(t)
	})
	if ran != 1 {
		t.Fatalf("work ran %d times, want once", ran)
	}
	if want := min(19, before+backgroundNice); inside != want {
		t.Errorf("the import's thread runs at nice %d, want %d (okrbot's %d + %d)", inside, want, before, backgroundNice)
	}
	// The thread is gone with the work; the others keep okrbot's priority.
	for range 4 {
		if got := threadNice(t); got != before {
			t.Errorf("a thread after the import runs at nice %d, want okrbot's %d", got, before)
		}
		runtime.Gosched()
	}
}
