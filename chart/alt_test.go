package chart

import (
	"math"
	"testing"
	"time"
)

func nanv() float64 { return math.NaN() }
func infv() float64 { return math.Inf(1) }

func TestBurnupAlt(t *testing.T) {
	tests := []struct {
		name string
		b    Burnup
		want string
	}{
		{"three objectives", salesBurnup(),
			"Sales: 3 objectives; Grow ARR, at risk, is at 40%, 14 points behind its expected 54%; " +
				"Ship v2 is at 60%, 6 points ahead of its expected 54%; Hire two AEs is at 54%, on its expected 54%."},
		{"none", Burnup{Team: "New", Start: cycleStart, End: week(13), Now: week(1)}, "New: 0 objectives."},
		{"no check-ins, one point", Burnup{Team: "Ops", Start: cycleStart, End: week(10), Now: week(1),
			Objectives: []Objective{{Title: "Quiet"}, {Title: "Close", History: series(0.09)}}},
			"Ops: 2 objectives; Quiet has no check-ins yet; Close is at 9%, 1 point behind its expected 10%."},
		{"NaN last value reads the one before", Burnup{Team: "X", Start: cycleStart, End: week(10), Now: week(5),
			Objectives: []Objective{{Title: "O", History: series(0.7, nanv())}}},
			"X: 1 objective; O is at 70%, 20 points ahead of its expected 50%."},
		{"now past the end", Burnup{Team: "X", Start: cycleStart, End: week(10), Now: week(20),
			Objectives: []Objective{{Title: "O", History: series(0.7)}}},
			"X: 1 objective; O is at 70%, 30 points behind its expected 100%."},
		{"backwards cycle expects nothing", Burnup{Team: "X", Start: week(10), End: cycleStart, Now: week(5),
			Objectives: []Objective{{Title: "O", History: series(0)}}},
			"X: 1 objective; O is at 0%, on its expected 0%."},
		{"a person's key results", Burnup{Team: "Your key results", Of: "key result", Start: cycleStart, End: week(10), Now: week(5),
			Objectives: []Objective{{Title: "KR4 Customers", History: series(0.2, 0.4)}}},
			"Your key results: 1 key result; KR4 Customers is at 40%, 10 points behind its expected 50%."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Alt(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestHistoryAlt(t *testing.T) {
	one := History{Title: "KR", Start: cycleStart, End: week(10), Now: week(5), Points: []Point{{At: week(2), Value: 0.5}}}
	tests := []struct {
		name string
		h    History
		want string
	}{
		{"five check-ins", arrHistory(), "Grow ARR to 2M: 5 check-ins, from 10% on 5 Oct to 40% on 2 Nov; 14 points behind its expected 54%."},
		{"none", History{Title: "KR", Start: cycleStart, End: week(10), Now: week(5)}, "KR: no check-ins yet; 50% was expected by now."},
		{"one", one, "KR: 1 check-in, 50% on 19 Oct; on its expected 50%."},
		{"NaNs left out", History{Title: "KR", Start: cycleStart, End: week(10), Now: week(5),
			Points: []Point{{At: week(0), Value: nanv()}, {At: week(1), Value: 0.2}, {At: week(2), Value: infv()}, {At: week(3), Value: 0.6}}},
			"KR: 2 check-ins, from 20% on 12 Oct to 60% on 26 Oct; 10 points ahead of its expected 50%."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Alt(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAdoptionAlt(t *testing.T) {
	tests := []struct {
		name string
		a    Adoption
		want string
	}{
		{"three teams", smallAdoption(),
			"Check-ins per week: 3 teams over 4 weeks; 58% of people checked in in the last week (68% in the first); " +
				"lowest last week: Ops 20%, Legal 25%, Sales 90%."},
		{"no weeks", Adoption{Title: "A"}, "A: no weeks to show yet."},
		{"one week, nobody asked", Adoption{Title: "A", Weeks: []time.Time{week(0)}, Teams: []TeamWeeks{{Name: "Empty"}}},
			"A: 1 team over 1 week; 0% of people checked in in the last week."},
		{"answered above asked counts as all", Adoption{Title: "A", Weeks: []time.Time{week(0)},
			Teams: []TeamWeeks{{Name: "T", Asked: []int{2}, Answered: []int{5}}}},
			"A: 1 team over 1 week; 100% of people checked in in the last week; lowest last week: T 100%."},
		{"2,000 teams name five", bigAdoption(2000),
			"Check-ins per week: 2,000 teams over 13 weeks; 46% of people checked in in the last week (42% in the first); " +
				"lowest last week: Team 0000 0%, Team 0036 0%, Team 0042 0%, Team 0066 0%, Team 0068 0%."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Alt(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want string
	}{
		{"empty", nil, ""},
		{"one point", []float64{0.4}, "▄"},
		{"flat", []float64{0.5, 0.5, 0.5}, "▄▄▄"},
		{"rising", []float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{"falling", []float64{7, 0}, "█▁"},
		{"negative", []float64{-10, -5, 0}, "▁▅█"},
		{"NaN is a gap", []float64{0, nanv(), 1}, "▁ █"},
		{"infinities are gaps", []float64{infv(), 0, math.Inf(-1), 1}, " ▁ █"},
		{"only NaN", []float64{nanv(), nanv()}, "  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sparkline(tt.in); got != tt.want {
				t.Errorf("Sparkline(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSparklineIn(t *testing.T) {
	tests := []struct {
		name   string
		in     []float64
		lo, hi float64
		want   string
	}{
		{"progress high all along", []float64{0.9, 0.9}, 0, 1, "▇▇"},
		{"progress", []float64{0, 0.5, 1}, 0, 1, "▁▅█"},
		{"clamped", []float64{-1, 2}, 0, 1, "▁█"},
		{"empty range is mid", []float64{3}, 1, 1, "▄"},
		{"NaN", []float64{nanv()}, 0, 1, " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SparklineIn(tt.in, tt.lo, tt.hi); got != tt.want {
				t.Errorf("SparklineIn(%v, %v, %v) = %q, want %q", tt.in, tt.lo, tt.hi, got, tt.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2000: "2,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
