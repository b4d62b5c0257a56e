package transfercmd

import (
	"math"
	"runtime/debug"
)

// importMemory is the soft limit of the Go heap while an import runs.
// The collector lets the heap grow to twice what is live before it
// collects, and an import of 10,000 people holds some 300 MB live while it
// plans (the people, the items and 1.3 million check-ins held once), so
// it would peak near 700 MB; with the limit the collector runs a few
// more times near it instead, which costs the import a few seconds and
// keeps it under the 500 MB the issue allows. Were more than this live,
// the runtime caps the collector at half the CPU rather than fail.
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
