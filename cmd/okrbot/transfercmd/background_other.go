//go:build !linux

package transfercmd

import "log/slog"

// inBackground runs work: lowering one thread's priority is Linux's.
func inBackground(_ *slog.Logger, work func()) { work() }
