// Package wording puts a workspace's own words (okrcore/wording) into the
// bot's messages: one pass over every text of a chat.Message, after the
// engine or a composer wrote it and before an adapter renders it, that
// rewrites the bot's "objective", "key results", "check-in" in the case
// and number it used, and fixes the article before them. A person's text
// (what went in through chat.User) is never touched: the pass sees only
// the bot's voice (chat.MapBot).
package wording

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	words "github.com/okrbot/okrbot/okrcore/wording"
)

// Pass rewrites the bot's words; the zero Pass (a workspace with the bot's
// own words) changes nothing.
type Pass struct {
	rules []rule
	first string // the bytes a rule's word starts with, in both cases
}

// rule is one of the bot's words (lower case) and the word chosen for it.
type rule struct{ from, to string }

// New is the pass for a workspace's words.
func New(w words.Words) Pass {
	var p Pass
	for _, t := range words.Terms() {
		if !w.Renamed(t) {
			continue
		}
		// Plurals first: "key results" must not be read as "key result"
		// followed by an s.
		p.rules = append(p.rules, rule{t.Plural, w.Plural(t)}, rule{t.Singular, w.Singular(t)})
		if c := t.Singular[:1]; !strings.Contains(p.first, c) {
			p.first += c + strings.ToUpper(c)
		}
	}
	return p
}

// ForWorkspace is the pass for workspace w's words.
func ForWorkspace(w *okrcore.Workspace) Pass { return New(words.Of(w)) }

// Key names the pass's words, the same for the same words: a cache's key
// for what is made once per set of words.
func (p Pass) Key() string {
	var b strings.Builder
	for _, r := range p.rules {
		b.WriteString(r.from + "\x00" + r.to + "\x00")
	}
	return b.String()
}

// Zero reports whether the pass changes nothing.
func (p Pass) Zero() bool { return len(p.rules) == 0 }

// Text rewrites the bot's words in s, a text of the neutral markup.
func (p Pass) Text(s string) string {
	if p.Zero() || s == "" {
		return s
	}
	return chat.MapBot(s, p.bot)
}

// Plain rewrites the words of s, all of it the bot's (a web page's own
// text, a heading).
func (p Pass) Plain(s string) string {
	if p.Zero() {
		return s
	}
	return p.bot(s)
}

// bot rewrites one run of the bot's own text.
func (p Pass) bot(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is written to b
	for i := 0; i < len(s); {
		if strings.IndexByte(p.first, s[i]) < 0 {
			i++ // not where a word of the bot's starts; a rune's later bytes never are
			continue
		}
		if i > 0 && wordByte(s, i) {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		r, ok := p.at(s, i)
		if !ok {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		matched := s[i : i+len(r.from)]
		b.WriteString(s[done:i])
		fixArticle(&b, r.to)
		b.WriteString(cased(matched, r.to))
		i += len(r.from)
		done = i
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// wordByte reports whether the rune before s[i] continues a word, so that
// a match at i would start inside one ("subobjective").
func wordByte(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return letterOrDigit(r)
}

func letterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// at is the rule whose word starts s at i as a whole word, in any case.
func (p Pass) at(s string, i int) (rule, bool) {
	for _, r := range p.rules {
		end := i + len(r.from)
		if end > len(s) || !strings.EqualFold(s[i:end], r.from) {
			continue
		}
		if next, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && letterOrDigit(next) {
			continue
		}
		return r, true
	}
	return rule{}, false
}

// fixArticle changes the "a" or "an" b ends with (the bot's "an objective")
// to the one the chosen word takes ("a goal").
func fixArticle(b *strings.Builder, to string) {
	s := b.String()
	var art string
	switch {
	case strings.HasSuffix(s, "an ") || strings.HasSuffix(s, "An "):
		art = s[len(s)-3 : len(s)-1]
	case strings.HasSuffix(s, "a ") || strings.HasSuffix(s, "A "):
		art = s[len(s)-2 : len(s)-1]
	default:
		return
	}
	start := len(s) - len(art) - 1
	if start > 0 && wordByte(s, start) {
		return // "Alpha " or "Tina " ends in a, not an article
	}
	want := "a"
	if vowel(to) {
		want = "an"
	}
	if want == strings.ToLower(art) {
		return
	}
	if unicode.IsUpper(rune(art[0])) {
		want = strings.ToUpper(want[:1]) + want[1:]
	}
	rest := s[:start]
	b.Reset()
	b.WriteString(rest + want + " ")
}

// vowel reports whether a word is said with a vowel first, as far as its
// spelling tells: "an update", "an OKR", "a goal".
func vowel(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("aeiouAEIOU", r) || acronym(firstWord(s)) && strings.ContainsRune("AEFHILMNORSX", r)
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// acronym reports whether w is written all in capitals ("OKR"), which keeps
// its case in the middle of a sentence.
func acronym(w string) bool {
	return utf8.RuneCountInString(w) > 1 && strings.ToUpper(w) == w && strings.ToLower(w) != w
}

// cased is the chosen word to in the case the bot wrote its own: in
// capitals when the bot's was ("OBJECTIVES"), with each word capitalised
// in a title ("Key Results"), with the first capitalised at a sentence's
// start ("Objectives:"), else in lower case but for acronyms ("goals",
// "OKR pulse").
func cased(matched, to string) string {
	switch {
	case acronym(strings.ReplaceAll(strings.ReplaceAll(matched, " ", ""), "-", "")):
		return strings.ToUpper(to)
	case titled(matched):
		return eachWord(to, capital)
	case startsUpper(matched):
		return capital(eachWord(to, lowerWord))
	}
	return eachWord(to, lowerWord)
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// titled reports whether every word of a several-word match is capitalised
// ("Key Results", not "Key results").
func titled(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 {
		return false
	}
	for _, w := range f {
		if !startsUpper(w) {
			return false
		}
	}
	return true
}

func eachWord(s string, f func(string) string) string {
	f2 := strings.Split(s, " ")
	for i, w := range f2 {
		f2[i] = f(w)
	}
	return strings.Join(f2, " ")
}

func lowerWord(w string) string {
	if acronym(w) {
		return w
	}
	return strings.ToLower(w)
}

func capital(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	if n == 0 {
		return w
	}
	return string(unicode.ToUpper(r)) + w[n:]
}

// Message rewrites every text of m a person reads: its summary, each
// block's, each button's label, its form's title, labels, hints and
// errors. Values a button or an option sends back, ids and a form's state
// are the bot's own machinery and are kept.
func (p Pass) Message(m chat.Message) chat.Message {
	if p.Zero() {
		return m
	}
	m.Text = p.Text(m.Text)
	if len(m.Blocks) > 0 {
		blocks := make([]chat.Block, len(m.Blocks))
		for i, b := range m.Blocks {
			blocks[i] = p.block(b)
		}
		m.Blocks = blocks
	}
	if m.Form != nil {
		f := *m.Form
		f.Title, f.Submit = p.Text(f.Title), p.Text(f.Submit)
		f.Inputs = make([]chat.Input, len(m.Form.Inputs))
		for i, in := range m.Form.Inputs {
			in.Label, in.Placeholder, in.Hint, in.Error = p.Text(in.Label), p.Text(in.Placeholder), p.Text(in.Hint), p.Text(in.Error)
			if len(in.Options) > 0 {
				opts := make([]chat.Option, len(in.Options))
				for j, o := range in.Options {
					opts[j] = chat.Option{Label: p.Text(o.Label), Value: o.Value}
				}
				in.Options = opts
			}
			f.Inputs[i] = in
		}
		m.Form = &f
	}
	return m
}

func (p Pass) block(b chat.Block) chat.Block {
	switch x := b.(type) {
	case chat.Header:
		x.Text = p.Text(x.Text)
		return x
	case chat.Section:
		x.Text = p.Text(x.Text)
		if len(x.Fields) > 0 {
			fs := make([]chat.Field, len(x.Fields))
			for i, f := range x.Fields {
				fs[i] = chat.Field{Label: p.Text(f.Label), Value: p.Text(f.Value)}
			}
			x.Fields = fs
		}
		return x
	case chat.ProgressBar:
		x.Label, x.StatusNote, x.Detail = p.Text(x.Label), p.Text(x.StatusNote), p.Text(x.Detail)
		return x
	case chat.Actions:
		bs := make([]chat.Button, len(x.Buttons))
		for i, btn := range x.Buttons {
			btn.Label = p.Text(btn.Label)
			bs[i] = btn
		}
		x.Buttons = bs
		return x
	case chat.Context:
		x.Text = p.Text(x.Text)
		return x
	case chat.Image:
		// Its Title is raw (a file's name, a person's title in it); its
		// Alt is markup.
		x.Alt = p.Text(x.Alt)
		return x
	}
	return b
}
