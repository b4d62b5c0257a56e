package web

import (
	"html/template"
	"strings"
	"testing"
	"time"

	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
)

// rowTemplate is the row as the pages' template wrote it before item.HTML.
const rowTemplate = `{{define "bar"}}<span class="bar"><progress max="100" value="{{.Pct}}">{{.Progress}}</progress> {{.Progress}}</span>{{end}}
{{define "status"}}<span class="status {{.Class}}">{{.Status}}</span>{{end}}
{{define "row"}}<li class="row d{{.Depth}}"><a class="ref" href="{{.URL}}">{{.Ref}}</a> <a href="{{.URL}}">{{.Title}}</a> {{template "bar" .}} {{template "status" .}}{{with .Detail}} <span class="detail">{{.}}</span>{{end}}{{with .Forecast}} <span class="forecast">{{.}}</span>{{end}} <span class="owner">· <a href="{{.OwnerURL}}">{{.Owner}}</a></span>{{if .More}} <a class="more" href="{{.URL}}">{{.More}} aligned beneath</a>{{end}}{{with .Chart}}{{template "linechart" .}}{{end}}</li>{{end}}
{{define "linechart"}}<figure class="chart">{{.SVG}}
<figcaption>{{.Alt}} <span class="key actual">━ progress</span> <span class="key expected">┅ expected</span></figcaption>
</figure>{{end}}`

// TestRowIsTheTemplates: a row written by item.HTML is, byte for byte,
// what the template wrote, for plain rows, rows with every field and
// hostile text in each (markup, quotes, plus, ampersands, NUL, a person's
// delimiters); and the wording pass changes nothing of the template's own
// words, so writing them in Go loses no workspace's words.
func TestRowIsTheTemplates(t *testing.T) {
	tmpl := template.Must(template.New("rows").Parse(rowTemplate))
	hostile := `<script>alert("x")</script> & 'q' 1+1 ` + "\x00 \uE000me\uE001 <@U123>"
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &okrcore.Cycle{Name: "Q4 <2026>", Start: start, End: start.AddDate(0, 3, 0)}
	k := &okrcore.KeyResult{Title: hostile, Start: 0, Target: 10, Current: 4, Direction: okrcore.Increase, CreatedAt: start}
	hist := []*okrcore.CheckIn{{At: start.AddDate(0, 0, 20), Value: 4, Previous: 1}, {At: start.AddDate(0, 0, 9), Value: 1}}
	chart := krChart("KR1 "+hostile, k, c, hist, start.AddDate(0, 1, 0), wordpass.Pass{})
	tests := []struct {
		name string
		it   item
	}{
		{"plain", item{Ref: "O1", Title: "Grow", URL: "/okr/objective/1", Owner: "alice", OwnerURL: "/okr/person/2", Pct: 40, Progress: "40%", Status: "on track", Class: "on"}},
		{"every field", item{Ref: "KR7", Title: "Ship", URL: "/okr/kr/7", Owner: "Sales", OwnerURL: "/okr/team/3", Pct: 100, Progress: "100%", Status: "done", Class: "done",
			Detail: "5 of 5", Depth: 1, More: 12, Forecast: "on pace for 0.9", Chart: chart}},
		{"hostile", item{Ref: hostile, Title: hostile, URL: "/okr/kr/7?a=b&c=" + hostile, Owner: hostile, OwnerURL: "/okr/person/" + hostile, Pct: -3, Progress: hostile,
			Status: hostile, Class: hostile, Detail: hostile, Depth: 2, More: 1, Forecast: hostile}},
		{"not a path", item{Ref: "O2", URL: "javascript:alert(1)", OwnerURL: "/okr/person/%41%zz", More: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want strings.Builder
			if err := tmpl.ExecuteTemplate(&want, "row", tt.it); err != nil {
				t.Fatal(err)
			}
			if got := string(tt.it.HTML()); got != want.String() {
				t.Errorf("item.HTML\n%s\nthe template\n%s", got, want.String())
			}
		})
	}
	if got := reword(rowTemplate, passFor(t)); got != rowTemplate {
		t.Errorf("the wording pass changes the row's own words:\n%s", got)
	}
}
