//go:build linux

package transfercmd

import (
	"log/slog"
	"runtime"
	"syscall"
)

// backgroundNice is how much lower than okrbot's own the kernel ranks the
// thread an import through a running okrbot plans on: a thread at 10 gets
// about a tenth of the processor a thread at 0 wants beside it, so chat's
// answers, which wait for the processor while the import plans on a busy
// machine, go first, and the import takes what is left.
const backgroundNice = 10

// inBackground runs work on an OS thread of its own at backgroundNice,
// and returns when it is done. Threads the runtime starts meanwhile keep
// okrbot's priority: a locked thread hands the starting of threads to
// another. Should the kernel refuse, work runs at okrbot's priority.
func inBackground(log *slog.Logger, work func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Never unlocked: the thread ends with this goroutine, and its
		// priority with it, so no other goroutine runs on it.
		runtime.LockOSThread()
		tid := syscall.Gettid()
		// getpriority(2) answers 20 - nice on Linux.
		if prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid); err == nil {
			nice := min(19, 20-prio+backgroundNice)
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil {
				log.Debug("import runs at okrbot's priority", "err", err)
			}
		}
		work()
	}()
	<-done
}
