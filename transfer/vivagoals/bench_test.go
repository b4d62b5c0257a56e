package vivagoals_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/okrbot/okrbot/transfer/vivagoals"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// benchSpec is the benchmark export: 10,000 people, 30,000
// objectives, 100,000 key results and a quarter of weekly check-ins.
func benchSpec() vivagoalstest.Spec {
	return vivagoalstest.Spec{Seed: 1, People: 10_000, Objectives: 30_000, KeyResults: 100_000, Projects: 10_000, CheckInsPerKR: 13}
}

// BenchmarkReadLarge reads the benchmark export from a file, reporting
// the zip's size, the peak of the heap while reading (what is kept and
// what awaits collection) and what the Programme keeps once read.
func BenchmarkReadLarge(b *testing.B) {
	path := filepath.Join(b.TempDir(), "large.zip")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := vivagoalstest.Build(f, benchSpec()); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built in %s", time.Since(start).Round(time.Millisecond))
	f, err = os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		b.Fatal(err)
	}
	var inflated uint64
	for _, e := range zr.File {
		inflated += e.UncompressedSize64
	}
	want := benchSpec().Totals()
	var peak, kept uint64
	var cpu time.Duration
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := watchHeap(&peak)
		began := cpuTime()
		p, err := vivagoals.Read(f, st.Size(), vivagoals.DefaultLimits())
		cpu += cpuTime() - began
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if p.NumCheckIns() != want.CheckIns || len(p.People) != want.People {
			b.Fatalf("read %d check-ins and %d people, want %d and %d", p.NumCheckIns(), len(p.People), want.CheckIns, want.People)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		kept = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(p)
	}
	b.ReportMetric(float64(st.Size())/(1<<20), "zip-MB")
	b.ReportMetric(float64(inflated)/(1<<20), "inflated-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(kept)/(1<<20), "kept-MB")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// watchHeap samples the heap's live and unswept bytes until stop is
// called, keeping the largest in peak.
func watchHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
