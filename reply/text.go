package reply

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Small helpers

func digit(c byte) bool { return '0' <= c && c <= '9' }
func space(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !digit(s[i]) {
			return false
		}
	}
	return true
}

// hasFold reports whether s starts with prefix, ignoring ASCII case; prefix
// is lower case.
func hasFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// phrase reports how many bytes of s the words of phrase take at its start,
// ignoring ASCII case and with any number of spaces between the words; 0
// when s does not start with the phrase.
func phrase(s, phrase string) int {
	i := 0
	for k, w := range strings.Split(phrase, " ") {
		if k > 0 {
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j == i {
				return 0
			}
			i = j
		}
		if !hasFold(s[i:], w) {
			return 0
		}
		i += len(w)
	}
	if !boundary(s, i) {
		return 0
	}
	return i
}

// boundary reports whether a word may end at byte i of s.
func boundary(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// boundaryBefore reports whether a word may start at byte i of s.
func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func isLetterWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// isWord reports whether w is a word of letters (with inner "-" or "'").
func isWord(w string) bool {
	if w == "" {
		return false
	}
	for i, r := range w {
		if unicode.IsLetter(r) {
			continue
		}
		if i > 0 && (r == '-' || r == '\'' || r == '’') {
			continue
		}
		return false
	}
	return true
}

// letterRun splits a leading run of letters off s.
func letterRun(s string) (string, string) {
	for i, r := range s {
		if !unicode.IsLetter(r) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}
