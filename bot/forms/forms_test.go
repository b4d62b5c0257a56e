package forms

import (
	"slices"
	"strings"
	"testing"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

func TestRefs(t *testing.T) {
	tests := []struct {
		state string
		want  []okrcore.ID
	}{
		{"KR2,KR1", []okrcore.ID{2, 1}},
		{" KR3 , KR3,KR4", []okrcore.ID{3, 4}},
		{"O1,KPI2,KR5", []okrcore.ID{5}},
		{"", nil},
		{"nonsense,,KR", nil},
	}
	for _, tt := range tests {
		var got []okrcore.ID
		for _, r := range Refs(tt.state) {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Refs(%q) = %v, want %v", tt.state, got, tt.want)
		}
	}
}

func FuzzRefs(f *testing.F) {
	for _, s := range []string{"KR1,KR2", "KR1,KR1", "O3", "", ",,,", "KR99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, state string) {
		seen := map[okrcore.ID]bool{}
		for _, r := range Refs(state) {
			if r.Kind != okrcore.RefKeyResult || seen[r.ID] {
				t.Fatalf("Refs(%q) holds %v twice or not a key result", state, r)
			}
			seen[r.ID] = true
		}
	})
}

func TestBack(t *testing.T) {
	form := func() *chat.Form {
		return &chat.Form{Inputs: []chat.Input{{ID: "KR1.value"}, {ID: "KR1.note"}}}
	}
	tests := []struct {
		name      string
		refuse    [][2]string
		wantMarks map[string]string
		wantText  string
	}{
		{"one marked", [][2]string{{"KR1.value", "KR1: no."}}, map[string]string{"KR1.value": "KR1: no."}, "Fix the marked answer and"},
		{"first reason kept", [][2]string{{"KR1.value", "first"}, {"KR1.value", "second"}}, map[string]string{"KR1.value": "first"}, "Fix the marked answer and"},
		{"two marked", [][2]string{{"KR1.value", "a."}, {"KR1.note", "b."}}, map[string]string{"KR1.value": "a.", "KR1.note": "b."}, "Fix the marked answers"},
		{"not in the form", [][2]string{{"KR9.value", "gone."}}, map[string]string{"KR1.value": "gone."}, "Nothing was saved yet: gone."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fe Errors
			for _, r := range tt.refuse {
				fe.Add(r[0], r[1])
			}
			if fe.Empty() {
				t.Fatal("Empty after Add")
			}
			m := Back(form(), map[string]string{"KR1.value": "45"}, fe)
			for _, in := range m.Form.Inputs {
				if in.Error != tt.wantMarks[in.ID] {
					t.Errorf("input %s marked %q, want %q", in.ID, in.Error, tt.wantMarks[in.ID])
				}
			}
			if !strings.Contains(m.Text, tt.wantText) {
				t.Errorf("text %q lacks %q", m.Text, tt.wantText)
			}
		})
	}
}
