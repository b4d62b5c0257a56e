// Package textarg formats a message's string arguments through a quote
// function, so that a renderer can escape a person's text (a name, a title,
// typed words) in a sentence whose format holds the bot's own markup.
package textarg

import (
	"fmt"
	"reflect"
)

// Quote wraps each argument whose kind is string so that, formatted, it
// comes out through quote; other arguments are kept. The argument is
// formatted first, with its own verb, flags and String method, so %q
// quotes the text and quote then escapes it.
func Quote(args []any, quote func(string) string) []any {
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
