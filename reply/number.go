package reply

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Numbers

// Options say how a person writes: which mark is their decimal one.
type Options struct {
	// DecimalComma reads "3,5" as 3.5 and "1.000,5" or "1 000,5" as
	// 1000.5; a point followed by three digits groups thousands then
	// ("1.000" is 1000), any other point is still a decimal point. Without
	// it a comma groups thousands ("1,200") and "1,5" is refused as
	// ambiguous.
	DecimalComma bool
}

// decimalCommaLanguages write numbers with a decimal comma; decimalPointRegions
// are the exceptions among their regions.
var (
	decimalCommaLanguages = map[string]bool{
		"de": true, "fr": true, "es": true, "it": true, "pt": true, "nl": true, "ru": true, "pl": true, "cs": true, "sk": true,
		"sv": true, "da": true, "nb": true, "nn": true, "no": true, "fi": true, "tr": true, "id": true, "vi": true, "el": true,
		"hu": true, "ro": true, "bg": true, "uk": true, "hr": true, "sl": true, "sr": true, "lt": true, "lv": true, "et": true,
		"ca": true, "eu": true, "gl": true, "is": true, "be": true, "kk": true, "az": true, "af": true,
	}
	decimalPointLanguages = map[string]bool{
		"en": true, "ja": true, "zh": true, "ko": true, "he": true, "th": true, "hi": true, "ms": true, "fil": true, "ga": true,
		"cy": true, "sw": true, "ta": true, "te": true, "bn": true, "ur": true, "ar": true, "fa": true, "mt": true,
	}
	decimalPointRegions = map[string]bool{"de-ch": true, "de-li": true, "fr-ch": true, "it-ch": true, "es-mx": true, "es-us": true, "es-pr": true}
)

// OptionsForLocale says how a person with a locale such as "de-DE" or
// "pt_BR" writes numbers; ok is false when the locale is unknown or empty.
func OptionsForLocale(locale string) (o Options, ok bool) {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
	lang, region, _ := strings.Cut(l, "-")
	if region != "" && decimalPointRegions[lang+"-"+region[:min(2, len(region))]] {
		return Options{}, true
	}
	switch {
	case decimalCommaLanguages[lang]:
		return Options{DecimalComma: true}, true
	case decimalPointLanguages[lang]:
		return Options{}, true
	}
	return Options{}, false
}

// ParseNumber parses one value as typed. ok=false when it is not a number.
// Words after the number ("12 customers") are allowed and ignored.
func ParseNumber(s string) (Number, bool) { return ParseNumberWith(s, Options{}) }

// ParseNumberWith is ParseNumber for a person who writes as o says.
func ParseNumberWith(s string, o Options) (Number, bool) {
	s = strings.TrimRight(strings.TrimSpace(normSpace(s)), ".! ")
	sc, ok := scanNumber(s, o)
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
// optional currency prefix, digits with optional thousands separators,
// decimals and exponent, then an optional magnitude (k, M, bn, million),
// percent sign or currency suffix.
func scanNumber(s string, o Options) (scan, bool) {
	c := numCursor{s: s, i: approxLen(s), comma: o.DecimalComma}
	c.readSign()
	prefix := c.readCurrencyPrefix()
	intPart, ok := c.readInteger()
	if !ok {
		return scan{}, false
	}
	frac := c.readFraction()
	if intPart == "" && frac == "" {
		return scan{}, false
	}
	typedExp, ok := c.readExponent()
	if !ok || c.runsOn() {
		return scan{}, false
	}
	exp := c.readMagnitude()
	percent, suffix := c.readPercentOrCurrency()
	// A percent of a magnitude, of money or of an exponent is a typo, so is
	// a magnitude of an exponent, and "$5€" names two currencies: none is
	// guessed at.
	if percent && (exp != 0 || prefix != "" || typedExp != "") || exp != 0 && typedExp != "" {
		return scan{}, false
	}
	if exp != 0 {
		typedExp = strconv.Itoa(exp)
	}
	if prefix != "" && suffix != "" && prefix != suffix {
		return scan{}, false
	}
	v, ok := numberValue(intPart, frac, typedExp, c.neg)
	if !ok {
		return scan{}, false
	}
	cur := prefix
	if cur == "" {
		cur = suffix
	}
	return scan{
		num:      Number{Value: v, Percent: percent, Currency: cur, Raw: strings.TrimSpace(s[:c.i])},
		rest:     s[c.i:],
		suffixed: typedExp != "" || percent || suffix != "",
	}, true
}

// numCursor is how far scanNumber has read into s, and the sign it read on
// the way (the sign may come before or after a currency prefix).
type numCursor struct {
	s           string
	i           int
	neg, signed bool
	comma       bool // a decimal comma (Options.DecimalComma)
	grouped     byte // the thousands separator read, 0 for none
}

// approxLen is the length of an "about" mark before a number ("~45%"):
// it is skipped, as the value typed is the best there is.
func approxLen(s string) int {
	for _, a := range []string{"~", "≈"} {
		if strings.HasPrefix(s, a) {
			return len(a)
		}
	}
	return 0
}

// readSign reads one sign at most, so that "-$300" and "$-300" both read
// but "-$-300" does not.
func (c *numCursor) readSign() {
	if c.signed {
		return
	}
	rest := c.s[c.i:]
	switch {
	case strings.HasPrefix(rest, "+"):
		c.signed = true
		c.i++
	case strings.HasPrefix(rest, "-"):
		c.signed, c.neg = true, true
		c.i++
	case strings.HasPrefix(rest, "−"):
		c.signed, c.neg = true, true
		c.i += len("−")
	}
}

// readCurrencyPrefix reads "$", "US$" or a code such as "USD" before the
// digits, and a sign after it. A code must stand apart from letters that
// follow, or "eurostar 5" would read as euros.
func (c *numCursor) readCurrencyPrefix() string {
	for _, p := range currencyPrefixes {
		if !hasFold(c.s[c.i:], p.word) {
			continue
		}
		j := c.i + len(p.word)
		if isLetterWord(p.word) && (j == len(c.s) || !space(c.s[j]) && !digit(c.s[j])) {
			continue
		}
		c.i = j
		for c.i < len(c.s) && space(c.s[c.i]) {
			c.i++
		}
		c.readSign()
		return p.sym
	}
	return ""
}

// readInteger reads the whole part, with its thousands separators taken
// out. Separated groups must be exactly three digits after a lead of at
// most three: anything else ("1,2", "1234,567") is refused, as a comma
// there may be a decimal comma and guessing would misread the value. With
// a decimal comma the separator is a point or a space, and a point not
// followed by a group is the decimal point ("1.5").
func (c *numCursor) readInteger() (string, bool) {
	s, i := c.s, c.i
	j := i
	for j < len(s) && digit(s[j]) {
		j++
	}
	sep := c.separatorAt(j)
	if j == i || sep == 0 {
		c.i = j
		return s[i:j], true
	}
	if j-i > 3 {
		if sep == ',' {
			return "", false
		}
		c.i = j // "1234.5", "1000 000": no thousands there
		return s[i:j], true
	}
	var b strings.Builder
	b.WriteString(s[i:j])
	groups := 0
	for j+1 < len(s) && s[j] == sep && digit(s[j+1]) {
		if !group(s, j+1) {
			if sep == ',' || sep == '.' && groups > 0 {
				return "", false
			}
			break // "1.5": a decimal point; "1 00": two numbers
		}
		b.WriteString(s[j+1 : j+4])
		j += 4
		groups++
	}
	if groups > 0 {
		c.grouped = sep
	}
	c.i = j
	return b.String(), true
}

// separatorAt is the thousands separator at byte j when one may be there
// (a digit follows it), or 0.
func (c *numCursor) separatorAt(j int) byte {
	s := c.s
	if j+1 >= len(s) || !digit(s[j+1]) {
		return 0
	}
	switch {
	case !c.comma && s[j] == ',':
		return ','
	case c.comma && (s[j] == '.' || s[j] == ' '):
		return s[j]
	}
	return 0
}

// group reports whether exactly three digits start at byte j of s.
func group(s string, j int) bool {
	return j+3 <= len(s) && allDigits(s[j:j+3]) && (j+3 == len(s) || !digit(s[j+3]))
}

// readFraction reads the digits after the decimal mark: a point, or with
// a decimal comma a comma (or a point where no point grouped thousands).
// A mark with no digit after it ends a sentence or a clause rather than
// starting decimals.
func (c *numCursor) readFraction() string {
	s, j := c.s, c.i
	if j+1 >= len(s) || !digit(s[j+1]) {
		return ""
	}
	switch {
	case s[j] == '.' && c.grouped != '.':
	case s[j] == ',' && c.comma:
	default:
		return ""
	}
	k := j + 1
	for k < len(s) && digit(s[k]) {
		k++
	}
	c.i = k
	return s[j+1 : k]
}

// readExponent reads "e3", "E-2", "e+6" right after the digits, and
// returns the exponent as typed ("" when there is none). An "e" that no
// digit follows is a unit or a word ("5eggs"), not an exponent.
func (c *numCursor) readExponent() (string, bool) {
	s, j := c.s, c.i
	if j >= len(s) || s[j]|0x20 != 'e' {
		return "", true
	}
	k := j + 1
	if k < len(s) && (s[k] == '+' || s[k] == '-') {
		k++
	}
	d := k
	for k < len(s) && digit(s[k]) {
		k++
	}
	if k == d {
		return "", true
	}
	if k-d > 4 {
		return "", false
	}
	c.i = k
	return strings.TrimPrefix(s[j+1:k], "+"), true
}

// runsOn reports whether the digits go on in a way no number does ("1.2.3",
// "1,2"); a comma that ends a clause ("45, KR3 done") is fine.
func (c *numCursor) runsOn() bool {
	s, j := c.s, c.i
	if j >= len(s) || !digit(s[j]) && s[j] != '.' && s[j] != ',' {
		return false
	}
	return !(s[j] == ',' && (j+1 == len(s) || !digit(s[j+1])))
}

// nextWord is where the next word starts, for suffixes typed after a space.
func (c *numCursor) nextWord() int {
	k := c.i
	for k < len(c.s) && space(c.s[k]) {
		k++
	}
	return k
}

// readMagnitude reads a magnitude after the digits and returns its power of
// ten, 0 when there is none.
func (c *numCursor) readMagnitude() int {
	k := c.nextWord()
	if k >= len(c.s) {
		return 0
	}
	for _, m := range magnitudes {
		if !hasFold(c.s[k:], m.word) || !boundary(c.s, k+len(m.word)) {
			continue
		}
		// "1.2 M" and "1.2 m" are magnitudes too: in a check-in an "m"
		// after a number means million far more often than metres.
		c.i = k + len(m.word)
		return m.exp
	}
	return 0
}

// readPercentOrCurrency reads what the value is in, after the digits and
// any magnitude: a percent ("%", "percent", "pct") or a currency symbol or
// word. Words must end where the suffix does, so "5 dollarsigns" is no money.
func (c *numCursor) readPercentOrCurrency() (percent bool, currency string) {
	s, k := c.s, c.nextWord()
	if k >= len(s) {
		return false, ""
	}
	switch {
	case s[k] == '%':
		c.i = k + 1
		return true, ""
	case hasFold(s[k:], "percent") && boundary(s, k+7):
		c.i = k + 7
		return true, ""
	case hasFold(s[k:], "pct") && boundary(s, k+3):
		c.i = k + 3
		return true, ""
	}
	for _, w := range currencyWords {
		if !hasFold(s[k:], w.word) {
			continue
		}
		if isLetterWord(w.word) && !boundary(s, k+len(w.word)) {
			continue
		}
		c.i = k + len(w.word)
		return false, w.sym
	}
	return false, ""
}

// numberValue puts the parts back together as text for ParseFloat, so that
// "1.2M" is exactly 1.2e6 rather than 1.2 times 1e6 with its rounding.
// Values too big for a float64 are refused, and a negative zero reads as 0.
func numberValue(intPart, frac, exp string, neg bool) (float64, bool) {
	num := intPart
	if num == "" {
		num = "0"
	}
	if frac != "" {
		num += "." + frac
	}
	if exp != "" {
		num += "e" + exp
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	if neg {
		v = -v
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return v, true
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
func valueAt(o Options, tw []string, p int) (Number, int, bool) {
	for k := min(3, len(tw)-p); k >= 1; k-- {
		s := strings.Join(tw[p:p+k], " ")
		sc, ok := scanNumber(s, o)
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
