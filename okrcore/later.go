package okrcore

// Later is an argument an operation reads only once it has checked that the
// actor may make the change at all: typically what a person typed (a name,
// a time zone, a cycle), resolved by the caller in the operation's own
// transaction. Someone who may not make a change then hears that, not a
// complaint about how they asked; and what they typed is not looked up for
// them. An error from a Later is returned as it is.
type Later[T any] func() (T, error)

// Given is a Later whose value is known in advance.
func Given[T any](v T) Later[T] {
	return func() (T, error) { return v, nil }
}

// get reads a Later; a nil one is the zero value.
func (l Later[T]) get() (T, error) {
	if l == nil {
		var zero T
		return zero, nil
	}
	return l()
}
