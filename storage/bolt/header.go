package bolt

import (
	"errors"
	"time"

	"github.com/okrbot/okrbot/storage/bolt/internal/fileheader"
)

// ErrDamaged is matched (errors.Is) by the error of Open, CheckFile and
// Locked for a file bbolt cannot safely read (see fileheader): cut short,
// both header pages spoilt, its first pages not what the header says, or
// a panic of bbolt while opening it. The error is a *DamagedError.
var ErrDamaged = fileheader.ErrDamaged

// ErrEmpty is matched by CheckFile's error for a file of 0 bytes: it holds
// no database. Open turns such a file into a new database, as it does a
// path that does not exist; whether it should is the caller's to decide.
var ErrEmpty = fileheader.ErrEmpty

// DamagedError says which file is damaged and why, in words.
type DamagedError = fileheader.DamagedError

// checkHeaderUnheld is fileheader.Check for a file another process may hold and
// write: a commit between its reads (growing the file, writing the other
// meta page) can look like damage. So damage counts only when no process
// holds the file (waiting up to wait for one to let go, then reading the
// header again); a file still held is ErrLocked.
func checkHeaderUnheld(path string, wait time.Duration) error {
	err := fileheader.Check(path)
	if !errors.Is(err, ErrDamaged) {
		return err
	}
	if held, lerr := Locked(path, wait); lerr != nil {
		return err
	} else if held {
		return ErrLocked
	}
	return fileheader.Check(path)
}
