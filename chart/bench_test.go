package chart

import "testing"

// BenchmarkBurnup draws one team's chart as a digest would, alt text
// included.
func BenchmarkBurnup(b *testing.B) {
	bu := salesBurnup()
	for b.Loop() {
		if _, err := bu.PNG(); err != nil {
			b.Fatal(err)
		}
		_ = bu.Alt()
	}
}

// BenchmarkAdoption2000 draws the adoption chart of 2,000 teams over a
// 13-week cycle, alt text included.
func BenchmarkAdoption2000(b *testing.B) {
	a := bigAdoption(2000)
	for b.Loop() {
		if _, err := a.PNG(); err != nil {
			b.Fatal(err)
		}
		_ = a.Alt()
	}
}
