package okrcore

import (
	"errors"
	"fmt"
	"reflect"
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

	// format and args are what Errorf made Message of, kept so that the
	// bot can render the message again with a person's text (every string
	// argument) escaped; the bot's own markup is in format only.
	format string
	args   []any
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

// Errorf builds a domain error whose message is shown to people. Its
// string arguments are a person's text (names, titles, typed words) and
// are escaped when the message is rendered with ErrorMessageWith; markup
// of the bot's own belongs in format.
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
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != KindInternal {
		return e.Message
	}
	return ""
}

// ErrorMessageWith is ErrorMessage with each string argument of the
// message passed through quote after it is formatted (so %q quotes the
// text, then quote escapes it): a renderer's way to show a person's text
// literally in a sentence that also holds the bot's markup.
func ErrorMessageWith(err error, quote func(string) string) string {
	var e *Error
	if !errors.As(err, &e) || e.Kind == KindInternal {
		return ""
	}
	if e.format == "" {
		return e.Message
	}
	return fmt.Sprintf(e.format, QuoteArgs(e.args, quote)...)
}

// QuoteArgs wraps each string argument (of any type whose kind is string)
// so that, formatted, it comes out through quote; other arguments are kept.
func QuoteArgs(args []any, quote func(string) string) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		if reflect.ValueOf(a).Kind() == reflect.String {
			out[i] = quoted{v: a, quote: quote}
		}
	}
	return out
}

// quoted is a string argument formatted as its verb says, then quoted.
type quoted struct {
	v     any
	quote func(string) string
}

func (q quoted) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, q.quote(fmt.Sprintf(fmt.FormatString(f, verb), q.v)))
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return ErrorKindOf(err) == KindNotFound }
