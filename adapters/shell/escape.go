package shell

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Escape makes text safe to print on someone's terminal: control
// characters show in caret notation (ESC as ^[, BEL as ^G, CR as ^M), C1
// controls and the bidirectional overrides and isolates that reverse text
// (U+202A–U+202E, U+2066–U+2069) as <U+202E>, bytes that are not UTF-8 as
// <0xFF>. Newlines and tabs stay. Whatever a title, name or note holds, it
// can't clear the screen, recolour it, retitle the window or reverse text.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "<0x%02X>", s[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString("^" + string(rune('@'+r)))
		case r == 0x7f:
			b.WriteString("^?")
		case escaped(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// escaped reports whether r is a C1 control or a bidirectional override
// or isolate.
func escaped(r rune) bool {
	return 0x80 <= r && r < 0xa0 || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069
}

func needsEscape(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || escaped(r) {
			return true
		}
	}
	return false
}

// escaping writes through Escape: everything the shell prints passes it.
type escaping struct{ w io.Writer }

func (e escaping) Write(p []byte) (int, error) {
	if _, err := io.WriteString(e.w, Escape(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
