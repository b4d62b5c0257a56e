package transfercmd

import (
	"math"
	"runtime/debug"
)

// importMemory is the soft limit of the Go heap while an import runs.
// The collector lets the heap grow to twice what is live before it
// collects, and an import of 10,000 people holds 200 to 290 MB live while
// it plans (the people, the items and 1.3 million check-ins), near 390 MB
// for a moment as planning ends, so it would peak near 700 MB; with the
// limit the collector runs a few more times near it instead, and the
// heap stays under the 500 MB the issue allows (408 to 415 MiB at most). That is
// enough headroom now that the held check-ins have no pointers for the
// collector to follow: GODEBUG=gctrace=1 shows four collections in the
// whole of planning and none back to back, where with the same limit the
// pointer-filled check-ins made it collect nine times in a row in
// planning's last second, each with its goal at what was live (387 to
// 410 MB), stealing work from every goroutine that allocated, chat's too.
// Were more than this live, the runtime caps the collector at half the
// CPU rather than fail.
const importMemory = 450 << 20

// limitMemory sets importMemory as the soft memory limit unless one is
// set already (GOMEMLIMIT is the operator's), and returns how to take it
// back. Two imports at once in a running okrbot share the first one's
// limit, which the first takes back when it ends.
func limitMemory() (restore func()) {
	prev := debug.SetMemoryLimit(-1)
	if prev != math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(importMemory)
	return func() {
		if debug.SetMemoryLimit(-1) == importMemory {
			debug.SetMemoryLimit(prev)
		}
	}
}
