package web

import (
	"html/template"
	"strings"
	"sync"

	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
)

// passOf is the wording pass of workspace ws; a workspace it cannot read
// is shown in the bot's own words.
func passOf(tx okrcore.Tx, ws string) wordpass.Pass {
	w, err := tx.Workspace(ws)
	if err != nil {
		return wordpass.Pass{}
	}
	return wordpass.ForWorkspace(w)
}

// pageNames are the templates of the pages, each parsed with the layout.
var pageNames = [...]string{"tree", "team", "person", "objective", "kr", "adoption", "message", "tab", "pick"}

// wordedPages are the pages' templates in each workspace's words, parsed
// once per set of words (a handful in any installation) from the page
// sources with their own text reworded.
type wordedPages struct {
	mu   sync.Mutex
	sets map[string]map[string]*template.Template
}

// get is the pages in p's words.
func (w *wordedPages) get(p wordpass.Pass) (map[string]*template.Template, error) {
	key := p.Key()
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.sets[key]; ok {
		return t, nil
	}
	t, err := parsePages(p)
	if err != nil {
		return nil, err
	}
	if w.sets == nil {
		w.sets = map[string]map[string]*template.Template{}
	}
	w.sets[key] = t
	return t, nil
}

// parsePages parses every page with the layout, each template's own text
// in p's words.
func parsePages(p wordpass.Pass) (map[string]*template.Template, error) {
	src := func(name string) (string, error) {
		b, err := templateFiles.ReadFile("templates/" + name)
		return reword(string(b), p), err
	}
	layout := template.New("layout.html")
	for _, name := range []string{"layout.html", "charts.html"} {
		s, err := src(name)
		if err != nil {
			return nil, err
		}
		t := layout
		if name != layout.Name() {
			t = layout.New(name)
		}
		if _, err := t.Parse(s); err != nil {
			return nil, err
		}
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		s, err := src(name + ".html")
		if err != nil {
			return nil, err
		}
		t, err := template.Must(layout.Clone()).New(name + ".html").Parse(s)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// reword rewrites the words of a template's source that a reader sees:
// its text, not its actions ({{…}}), which print data, nor its tags
// (<…>), whose attributes hold paths such as /okr/objective/12 and class
// names.
func reword(src string, p wordpass.Pass) string {
	if p.Zero() {
		return src
	}
	var b strings.Builder
	for len(src) > 0 {
		i := strings.IndexAny(src, "<{")
		if i < 0 {
			b.WriteString(p.Plain(src))
			break
		}
		b.WriteString(p.Plain(src[:i]))
		src = src[i:]
		end := ">"
		if strings.HasPrefix(src, "{{") {
			end = "}}"
		} else if src[0] == '{' {
			b.WriteByte('{')
			src = src[1:]
			continue
		}
		j := strings.Index(src, end)
		if j < 0 {
			b.WriteString(src)
			break
		}
		b.WriteString(src[:j+len(end)])
		src = src[j+len(end):]
	}
	return b.String()
}
