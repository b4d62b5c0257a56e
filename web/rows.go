package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// A row of the tree, a team's or a person's page is written here, not by
// a template: the largest team's page has hundreds, and html/template's
// escaping of each field (a reflected call per value) cost more than
// reading the page. The bytes are those the template wrote
// (TestRowIsTheTemplates); the row's own words (" aligned beneath", the
// chart's key) hold none of the terms a workspace may rename, so the
// wording pass had nothing to change in them.

// escaper is html/template's escaping of text and quoted attribute
// values.
var escaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// HTML is the row as a list item.
func (it item) HTML() template.HTML {
	var b strings.Builder
	b.Grow(384)
	esc := func(s string) { _, _ = escaper.WriteString(&b, s) }
	link := func(class, url, text string) {
		b.WriteString(`<a `)
		if class != "" {
			b.WriteString(`class="` + class + `" `)
		}
		b.WriteString(`href="`)
		esc(pathURL(url))
		b.WriteString(`">`)
		esc(text)
		b.WriteString(`</a>`)
	}
	span := func(class, text string) {
		b.WriteString(` <span class="` + class + `">`)
		esc(text)
		b.WriteString(`</span>`)
	}
	b.WriteString(`<li class="row d` + strconv.Itoa(it.Depth) + `">`)
	link("ref", it.URL, it.Ref)
	b.WriteByte(' ')
	link("", it.URL, it.Title)
	b.WriteString(` <span class="bar"><progress max="100" value="` + strconv.Itoa(it.Pct) + `">`)
	esc(it.Progress)
	b.WriteString(`</progress> `)
	esc(it.Progress)
	b.WriteString(`</span> <span class="status `)
	esc(it.Class)
	b.WriteString(`">`)
	esc(it.Status)
	b.WriteString(`</span>`)
	if it.Detail != "" {
		span("detail", it.Detail)
	}
	if it.Forecast != "" {
		span("forecast", it.Forecast)
	}
	b.WriteString(` <span class="owner">· `)
	link("", it.OwnerURL, it.Owner)
	b.WriteString(`</span>`)
	if it.More != 0 {
		b.WriteString(` <a class="more" href="`)
		esc(pathURL(it.URL))
		b.WriteString(`">` + strconv.Itoa(it.More) + ` aligned beneath</a>`)
	}
	if it.Chart != nil {
		b.WriteString(`<figure class="chart">`)
		b.WriteString(string(it.Chart.SVG()))
		b.WriteString("\n<figcaption>")
		esc(it.Chart.Alt)
		b.WriteString(` <span class="key actual">━ progress</span> <span class="key expected">┅ expected</span></figcaption>` + "\n</figure>")
	}
	b.WriteString(`</li>`)
	return template.HTML(b.String())
}

// pathURL is a page's path as html/template writes it in an href: bytes
// outside RFC 3986's unreserved and reserved ones percent-encoded (a valid
// escape kept); anything but a path of this site (which idPath makes) is
// refused as html/template refuses an unsafe URL.
func pathURL(s string) string {
	if !strings.HasPrefix(s, "/") {
		return "#ZgotmplZ"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0,
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
