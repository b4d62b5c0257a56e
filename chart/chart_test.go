package chart

import (
	"bytes"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

var cycleStart = time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)

// week is the Monday of the cycle's week w (0 is the first).
func week(w int) time.Time { return cycleStart.AddDate(0, 0, 7*w) }

// series is a history with one point a week from the first.
func series(vs ...float64) []Point {
	out := make([]Point, len(vs))
	for i, v := range vs {
		out[i] = Point{At: week(i), Value: v}
	}
	return out
}

func salesBurnup() Burnup {
	return Burnup{Team: "Sales", Start: cycleStart, End: week(13), Now: week(7),
		Objectives: []Objective{
			{Title: "Grow ARR", History: series(0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4), AtRisk: true},
			{Title: "Ship v2", History: series(0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6)},
			{Title: "Hire two AEs", History: series(0, 0, 0.5, 0.5, 0.5, 0.5, 0.54, 0.54)},
		}}
}

func arrHistory() History {
	return History{Title: "Grow ARR to 2M", Start: cycleStart, End: week(13), Now: week(7),
		Points: series(0.1, 0.15, 0.2, 0.3, 0.4)}
}

func smallAdoption() Adoption {
	return Adoption{Title: "Check-ins per week", Weeks: []time.Time{week(0), week(1), week(2), week(3)},
		Teams: []TeamWeeks{
			{Name: "Sales", Asked: []int{10, 10, 10, 10}, Answered: []int{8, 9, 7, 9}},
			{Name: "Ops", Asked: []int{5, 5, 5, 5}, Answered: []int{1, 2, 1, 1}},
			{Name: "Legal", Asked: []int{4, 4, 4, 4}, Answered: []int{4, 3, 2, 1}},
		}}
}

// bigAdoption is n teams over a 13-week cycle, their rates spread out.
func bigAdoption(n int) Adoption {
	a := Adoption{Title: "Check-ins per week"}
	for w := range 13 {
		a.Weeks = append(a.Weeks, week(w))
	}
	for i := range n {
		t := TeamWeeks{Name: fmt.Sprintf("Team %04d", i)}
		for w := range 13 {
			asked := 5 + i%11
			t.Asked = append(t.Asked, asked)
			t.Answered = append(t.Answered, (i*7+w*3)%(asked+1))
		}
		a.Teams = append(a.Teams, t)
	}
	return a
}

// golden compares got with testdata/name, rewriting it under -update;
// the image must also decode at the fixed size.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	if b := img.Bounds(); b.Dx() != WidthPx || b.Dy() != HeightPx {
		t.Fatalf("%s: %dx%d px, want %dx%d", name, b.Dx(), b.Dy(), WidthPx, HeightPx)
	}
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./chart -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes differ from the golden %d (look at it, then go test ./chart -update)", name, len(got), len(want))
	}
}

func TestGoldenPNGs(t *testing.T) {
	tests := []struct {
		name string
		draw func() ([]byte, error)
	}{
		{"burnup.png", salesBurnup().PNG},
		{"burnup-empty.png", Burnup{Team: "New team", Start: cycleStart, End: week(13), Now: week(0)}.PNG},
		{"history.png", arrHistory().PNG},
		{"history-empty.png", History{Title: "Nothing yet", Start: cycleStart, End: week(13)}.PNG},
		{"adoption.png", smallAdoption().PNG},
		{"adoption-2000.png", bigAdoption(2000).PNG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := tt.draw()
			if err != nil {
				t.Fatal(err)
			}
			again, err := tt.draw()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatal("the same data drew different bytes")
			}
			golden(t, tt.name, first)
		})
	}
}

// TestDrawBadData: values no chart can place (NaN, infinities, above
// 100%, below 0, times outside the cycle, a cycle that ends before it
// starts) still draw a PNG of the fixed size.
func TestDrawBadData(t *testing.T) {
	nan := []Point{{At: week(1), Value: 0.2}, {At: week(2), Value: nanv()}, {At: week(3), Value: infv()},
		{At: week(4), Value: 3}, {At: week(5), Value: -1}, {At: week(-4), Value: 0.5}, {At: week(40), Value: 0.5}}
	tests := []struct {
		name string
		draw func() ([]byte, error)
	}{
		{"burnup", Burnup{Team: "T", Start: cycleStart, End: week(13), Now: week(5),
			Objectives: []Objective{{Title: "odd", History: nan, AtRisk: true}, {Title: "only NaN", History: []Point{{At: week(1), Value: nanv()}}}}}.PNG},
		{"backwards cycle", Burnup{Team: "T", Start: week(13), End: cycleStart, Objectives: []Objective{{Title: "o", History: series(0.5)}}}.PNG},
		{"history", History{Title: "odd", Start: cycleStart, End: week(13), Points: nan}.PNG},
		{"adoption ragged", Adoption{Title: "A", Weeks: []time.Time{week(0), week(1)},
			Teams: []TeamWeeks{{Name: "short", Asked: []int{3}, Answered: []int{9, 9}}, {Name: "none"}, {Name: "negative", Asked: []int{-2, 0}, Answered: []int{1, 1}}}}.PNG},
		{"adoption no weeks", Adoption{Title: "A"}.PNG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.draw()
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() != WidthPx || img.Bounds().Dy() != HeightPx {
				t.Fatalf("size %v", img.Bounds())
			}
		})
	}
}
