package reply

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Numbers

// ParseNumber parses one value as typed. ok=false when it is not a number.
// Words after the number ("12 customers") are allowed and ignored.
func ParseNumber(s string) (Number, bool) {
	s = strings.TrimRight(strings.TrimSpace(normSpace(s)), ".! ")
	sc, ok := scanNumber(s)
	if !ok {
		return Number{}, false
	}
	rest := sc.rest
	if rest == "" {
		return sc.num, true
	}
	if !space(rest[0]) {
		// Letters stuck to the number: a unit such as "5kg" or "10x".
		w, tail := letterRun(rest)
		if w == "" || sc.suffixed || magnitudeLetter(w) || sc.num.Raw == "0" && (w[0]|0x20) == 'x' {
			return Number{}, false
		}
		rest = tail
	}
	for _, f := range strings.Fields(rest) {
		if !isWord(f) {
			return Number{}, false
		}
	}
	return sc.num, true
}

type scan struct {
	num      Number
	rest     string // what follows the number
	suffixed bool   // a magnitude, percent or currency suffix was read
}

var magnitudes = []struct {
	word string
	exp  int
}{
	{"thousand", 3}, {"million", 6}, {"billion", 9},
	{"mio", 6}, {"mln", 6}, {"mn", 6}, {"bn", 9},
	{"k", 3}, {"m", 6}, {"b", 9},
}

var currencyPrefixes = []struct{ word, sym string }{
	{"us$", "$"}, {"$", "$"}, {"€", "€"}, {"£", "£"}, {"usd", "$"}, {"eur", "€"}, {"gbp", "£"},
}

var currencyWords = []struct{ word, sym string }{
	{"dollars", "$"}, {"dollar", "$"}, {"euros", "€"}, {"euro", "€"},
	{"usd", "$"}, {"eur", "€"}, {"gbp", "£"},
	{"us$", "$"}, {"$", "$"}, {"€", "€"}, {"£", "£"},
}

// scanNumber reads a number at the start of s: an optional sign, an
// optional currency prefix, digits with optional thousands separators and
// decimals, then an optional magnitude (k, M, bn, million), percent sign or
// currency suffix.
func scanNumber(s string) (scan, bool) {
	var sc scan
	i := 0
	for _, a := range []string{"~", "≈"} {
		if strings.HasPrefix(s, a) {
			i += len(a)
			break
		}
	}
	neg, signed := false, false
	readSign := func() {
		if signed {
			return
		}
		switch {
		case strings.HasPrefix(s[i:], "+"):
			signed = true
			i++
		case strings.HasPrefix(s[i:], "-"):
			signed, neg = true, true
			i++
		case strings.HasPrefix(s[i:], "−"):
			signed, neg = true, true
			i += len("−")
		}
	}
	readSign()
	prefix := ""
	for _, c := range currencyPrefixes {
		if !hasFold(s[i:], c.word) {
			continue
		}
		j := i + len(c.word)
		if isLetterWord(c.word) && (j == len(s) || !space(s[j]) && !digit(s[j])) {
			continue
		}
		prefix = c.sym
		i = j
		for i < len(s) && space(s[i]) {
			i++
		}
		readSign()
		break
	}
	// Digits.
	j := i
	for j < len(s) && digit(s[j]) {
		j++
	}
	var intPart strings.Builder
	intPart.WriteString(s[i:j])
	if j > i && j+1 < len(s) && s[j] == ',' && digit(s[j+1]) {
		if j-i > 3 {
			return sc, false
		}
		for j+1 < len(s) && s[j] == ',' && digit(s[j+1]) {
			if j+4 > len(s) || !allDigits(s[j+1:j+4]) || (j+4 < len(s) && digit(s[j+4])) {
				return sc, false
			}
			intPart.WriteString(s[j+1 : j+4])
			j += 4
		}
	}
	frac := ""
	if j+1 < len(s) && s[j] == '.' && digit(s[j+1]) {
		k := j + 1
		for k < len(s) && digit(s[k]) {
			k++
		}
		frac = s[j+1 : k]
		j = k
	}
	if intPart.Len() == 0 && frac == "" {
		return sc, false
	}
	if j < len(s) && (digit(s[j]) || s[j] == '.' || s[j] == ',') && !(s[j] == ',' && (j+1 == len(s) || !digit(s[j+1]))) {
		return sc, false // "1.2.3", "1,2"
	}
	end := j
	// Suffixes: magnitude, then percent or currency.
	exp := 0
	next := func() int { // where the next word starts
		k := end
		for k < len(s) && space(s[k]) {
			k++
		}
		return k
	}
	if k := next(); k < len(s) {
		for _, m := range magnitudes {
			if !hasFold(s[k:], m.word) || !boundary(s, k+len(m.word)) {
				continue
			}
			// "1.2 M" and "1.2 m" are magnitudes too: in a check-in an "m"
			// after a number means million far more often than metres.
			exp = m.exp
			end = k + len(m.word)
			sc.suffixed = true
			break
		}
	}
	percent := false
	suffix := ""
	if k := next(); k < len(s) {
		switch {
		case s[k] == '%':
			percent = true
			end = k + 1
		case hasFold(s[k:], "percent") && boundary(s, k+7):
			percent = true
			end = k + 7
		case hasFold(s[k:], "pct") && boundary(s, k+3):
			percent = true
			end = k + 3
		default:
			for _, c := range currencyWords {
				if !hasFold(s[k:], c.word) {
					continue
				}
				if isLetterWord(c.word) && !boundary(s, k+len(c.word)) {
					continue
				}
				suffix = c.sym
				end = k + len(c.word)
				break
			}
		}
	}
	if percent || suffix != "" {
		sc.suffixed = true
	}
	if percent && (exp != 0 || prefix != "") {
		return sc, false
	}
	if prefix != "" && suffix != "" && prefix != suffix {
		return sc, false
	}
	num := intPart.String()
	if num == "" {
		num = "0"
	}
	if frac != "" {
		num += "." + frac
	}
	if exp != 0 {
		num += "e" + strconv.Itoa(exp)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return sc, false
	}
	if neg {
		v = -v
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	cur := prefix
	if cur == "" {
		cur = suffix
	}
	sc.num = Number{Value: v, Percent: percent, Currency: cur, Raw: strings.TrimSpace(s[:end])}
	sc.rest = s[end:]
	return sc, true
}

// magnitudeLetter reports whether a unit stuck to a number starts like a
// magnitude ("5kg", "3mb"): those are refused rather than misread.
func magnitudeLetter(w string) bool {
	switch unicode.ToLower(rune(w[0])) {
	case 'k', 'm', 'b':
		return true
	}
	return false
}

// valueAt reads a value from the clause words at p, joining up to three
// words ("1.2 M", "$ 300", "300 USD", "45 %"). It returns how many words it used.
func valueAt(tw []string, p int) (Number, int, bool) {
	for k := min(3, len(tw)-p); k >= 1; k-- {
		s := strings.Join(tw[p:p+k], " ")
		sc, ok := scanNumber(s)
		if !ok {
			continue
		}
		if sc.rest == "" {
			return sc.num, k, true
		}
		if k == 1 && !sc.suffixed && isWord(sc.rest) && !magnitudeLetter(sc.rest) && !(sc.num.Raw == "0" && (sc.rest[0]|0x20) == 'x') {
			return sc.num, k, true // "5kg", "10x"
		}
	}
	return Number{}, 0, false
}

// looksNumeric reports whether a word was meant as a number: it starts with
// a digit, or with a sign or currency symbol followed by one.
func looksNumeric(w string) bool {
	for range 3 {
		if w == "" {
			return false
		}
		if digit(w[0]) {
			return true
		}
		r, n := utf8.DecodeRuneInString(w)
		if !strings.ContainsRune("+-−$€£~≈.", r) {
			return false
		}
		w = w[n:]
	}
	return false
}
