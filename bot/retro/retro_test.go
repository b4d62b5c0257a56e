package retro

import (
	"strings"
	"testing"

	"github.com/okrbot/okrbot/okrcore"
)

func TestParseRating(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		problem string
	}{
		{"4", 4, ""},
		{" 5/5 ", 5, ""},
		{"3 out of 5", 3, ""},
		{"Strongly  agree!", 5, ""},
		{"neither", 3, ""},
		{"3.5", 0, "whole number"},
		{"7", 0, "off the scale"},
		{"0", 0, "off the scale"},
		{"lots", 0, "I need a rating"},
		{"", 0, "I need a rating"},
	}
	for _, tt := range tests {
		got, problem := ParseRating(tt.in)
		if got != tt.want || (tt.problem == "") != (problem == "") || !strings.Contains(problem, tt.problem) {
			t.Errorf("ParseRating(%q) = %d, %q; want %d, %q", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func FuzzParseRating(f *testing.F) {
	for _, s := range []string{"4", "5/5", "agree", "3.5", "-1", "99999999999999999999", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, problem := ParseRating(s)
		if (problem == "") == (r == 0) || r < 0 || r > 5 {
			t.Fatalf("ParseRating(%q) = %d, %q", s, r, problem)
		}
	})
}

func TestPromptAndGradesForm(t *testing.T) {
	for step := range Steps {
		m := Prompt(&Dialog{Step: step}, "lead")
		if !strings.HasPrefix(m.Text, "lead\n\n(") || len(m.Blocks) != 4 {
			t.Errorf("step %d: %q with %d blocks", step, m.Text, len(m.Blocks))
		}
	}
	score := 0.4
	krs := []*okrcore.KeyResult{{ID: 3, Title: "Ship", Start: 0, Target: 10, Current: 5}, {ID: 4, Title: "Hire", Start: 0, Target: 2, Current: 2, Score: &score}}
	f := GradesForm(&okrcore.Cycle{Name: "Q4"}, krs)
	if f.ID != GradesFormID || f.State != "KR3,KR4" || len(f.Inputs) != 2 || f.Inputs[1].Initial != "0.4" {
		t.Errorf("form %q state %q, %d inputs, second starts at %q", f.ID, f.State, len(f.Inputs), f.Inputs[1].Initial)
	}
}
