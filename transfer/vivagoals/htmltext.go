package vivagoals

import (
	"bytes"
	"html"
	"strings"
	"unicode/utf8"
)

// htmlText turns a note's HTML into the plain text a chat message shows:
// tags go, entities become their characters, paragraphs and list items
// stay on lines of their own, and a <br> breaks the line. Everything else
// in the text, non-ASCII included, is kept as written.
func htmlText(s string) string {
	var w textWriter
	w.out = make([]byte, 0, len(s))
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			w.text(s)
			break
		}
		w.text(s[:lt])
		s = s[lt:]
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s, "-->")
			if end < 0 {
				break
			}
			s = s[end+3:]
			continue
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			w.text(s)
			break
		}
		if !isTagStart(s) {
			// A < that opens no tag is text ("5 < 7").
			w.text("<")
			s = s[1:]
			continue
		}
		tag, closing := tagName(s[1:gt])
		s = s[gt+1:]
		w.flush()
		switch tag {
		case "script", "style", "head", "title":
			if closing {
				break
			}
			s = s[closingTag(s, tag):]
		case "br":
			w.trim()
			w.out = append(w.out, '\n')
		case "li":
			if !closing {
				w.line(false)
				w.out = append(w.out, "• "...)
			}
		case "p", "h1", "h2", "h3", "blockquote", "hr":
			w.line(true)
		case "div", "h4", "h5", "h6", "ul", "ol", "pre", "table", "tr", "section", "article":
			w.line(false)
		case "td", "th":
			if closing {
				w.trim()
				w.out = append(w.out, '\t')
			}
		}
	}
	w.flush()
	return string(bytes.TrimSpace(w.out))
}

// textWriter gathers the text between tags and writes it out with HTML's
// rule for spaces: any run of white space is one space.
type textWriter struct {
	out     []byte
	pending strings.Builder
}

func (w *textWriter) text(s string) { w.pending.WriteString(s) }

func (w *textWriter) flush() {
	if w.pending.Len() == 0 {
		return
	}
	t := html.UnescapeString(w.pending.String())
	w.pending.Reset()
	space := false
	for _, r := range t {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\u00a0':
			if r == '\u00a0' {
				// A non-breaking space is one the writer meant.
				w.out = utf8.AppendRune(w.out, ' ')
				space = false
				continue
			}
			space = true
			continue
		}
		if space && len(w.out) > 0 && !w.endsIn('\n', ' ', '\t') {
			w.out = append(w.out, ' ')
		}
		space = false
		w.out = utf8.AppendRune(w.out, r)
	}
	if space && len(w.out) > 0 && !w.endsIn('\n', ' ', '\t') {
		w.out = append(w.out, ' ')
	}
}

func (w *textWriter) endsIn(cs ...byte) bool {
	return len(w.out) > 0 && bytes.IndexByte(cs, w.out[len(w.out)-1]) >= 0
}

// trim drops the spaces and tabs the text ends with.
func (w *textWriter) trim() { w.out = bytes.TrimRight(w.out, " \t") }

// line starts a new line, or with blank a new paragraph, unless the text
// is already there; at most one blank line separates paragraphs.
func (w *textWriter) line(blank bool) {
	w.trim()
	if len(w.out) == 0 {
		return
	}
	if !w.endsIn('\n') {
		w.out = append(w.out, '\n')
	}
	if blank && !bytes.HasSuffix(w.out, []byte("\n\n")) {
		w.out = append(w.out, '\n')
	}
}

// isTagStart reports whether s, which starts with <, opens a tag.
func isTagStart(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[1]
	return c == '/' || c == '!' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// tagName reads the lower-case name of the tag whose inside is in.
func tagName(in string) (string, bool) {
	closing := strings.HasPrefix(in, "/")
	in = strings.TrimPrefix(in, "/")
	if end := strings.IndexAny(in, " \t\n\r/"); end >= 0 {
		in = in[:end]
	}
	return strings.ToLower(in), closing
}

// closingTag is where the closing tag of tag starts in s, in any case, or
// len(s).
func closingTag(s, tag string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], "</")
		if j < 0 {
			return len(s)
		}
		i += j
		if len(s) >= i+2+len(tag) && strings.EqualFold(s[i+2:i+2+len(tag)], tag) {
			return i
		}
		i += 2
	}
}
