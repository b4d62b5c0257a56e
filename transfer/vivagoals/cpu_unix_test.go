//go:build unix

package vivagoals_test

import (
	"syscall"
	"time"
)

// cpuTime is the processor time this process has used, user and system:
// on a shared machine it says what a read costs where the wall clock
// says how busy the machine was.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
