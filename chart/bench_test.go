package chart

import "testing"

// BenchmarkBurnup draws one team's chart as a digest would, alt text
// included.
func BenchmarkBurnup(b *testing.B) {
	bu := salesBurnup()
	var n int
	for b.Loop() {
		png, err := bu.PNG()
		if err != nil {
			b.Fatal(err)
		}
		n = len(png)
		_ = bu.Alt()
	}
	b.ReportMetric(float64(n), "png-bytes")
}

// BenchmarkAdoption2000 draws the adoption chart of 2,000 teams over a
// 13-week cycle, alt text included.
func BenchmarkAdoption2000(b *testing.B) {
	a := bigAdoption(2000)
	var n int
	for b.Loop() {
		png, err := a.PNG()
		if err != nil {
			b.Fatal(err)
		}
		n = len(png)
		_ = a.Alt()
	}
	b.ReportMetric(float64(n), "png-bytes")
}
