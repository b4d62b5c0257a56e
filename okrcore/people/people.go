// Package people holds okrcore's operations on people and their accounts:
// first contact, profiles, linking, unlinking and joining accounts by a
// verified address, and a person's own settings. It is pure, like okrcore:
// no I/O, no clock of its own; every write is a function over okrcore.Tx.
package people

import "github.com/okrbot/okrbot/okrcore"

// read reads a Later as okrcore's operations do: a nil one is the zero
// value, and its error is returned as it is.
func read[T any](l okrcore.Later[T]) (T, error) {
	if l == nil {
		var zero T
		return zero, nil
	}
	return l()
}
