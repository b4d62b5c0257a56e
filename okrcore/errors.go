package okrcore

import (
	"errors"
	"fmt"
	"github.com/okrbot/okrbot/textarg"
)

// ErrorKind classifies an error so that the bot can pick a sentence for a
// person and an HTTP layer can pick a status code.
type ErrorKind string

const (
	KindInvalid   ErrorKind = "invalid"
	KindNotFound  ErrorKind = "not_found"
	KindForbidden ErrorKind = "forbidden"
	KindConflict  ErrorKind = "conflict"
	KindInternal  ErrorKind = "internal"
)

// Error is a domain error. Message is a sentence written for a person; Op
// names what was being done; Err is the underlying cause, if any.
type Error struct {
	Kind    ErrorKind
	Op      string
	Message string
	Err     error
	format  string // and args: what Errorf made Message of, for ErrorMessageWith
	args    []any
}

func (e *Error) Error() string {
	s := string(e.Kind)
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a domain error whose message is shown to people. String
// args are a person's text (ErrorMessageWith escapes them); markup is format's.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// ErrorKindOf returns the kind of err, KindInternal for foreign errors.
func ErrorKindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorMessage returns the person-facing message of err, or "" when err
// carries none (an internal error, whose detail belongs in the log).
func ErrorMessage(err error) string { return ErrorMessageWith(err, nil) }

// ErrorMessageWith is ErrorMessage with each string argument (a person's text) formatted, then quoted.
func ErrorMessageWith(err error, quote func(string) string) string {
	var e *Error
	if !errors.As(err, &e) || e.Kind == KindInternal {
		return ""
	}
	if quote == nil || e.format == "" {
		return e.Message
	}
	return fmt.Sprintf(e.format, textarg.Quote(e.args, quote)...)
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return ErrorKindOf(err) == KindNotFound }
