package transfer

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/okrbot/okrbot/storage/bolt"
	"github.com/okrbot/okrbot/storage/storagetest"
)

// benchSpecs are the organisations the benchmarks export and import: a
// small one for a quick run, and the 10,000 people of the issue with a
// quarter of weekly check-ins (1.3 M).
func benchSpecs() []struct {
	name string
	spec storagetest.OrgSpec
} {
	return []struct {
		name string
		spec storagetest.OrgSpec
	}{
		{"people=1000", storagetest.OrgSpec{Users: 1000, Teams: 200, Objectives: 3000, KeyResults: 10000, CheckInsPerKR: 13}},
		{"people=10000", storagetest.OrgSpec{CheckInsPerKR: 13}},
	}
}

// heapPeak samples the heap in use at every progress report: the peak of
// an import or export, which a measurement after it would miss.
type heapPeak struct{ max uint64 }

func (h *heapPeak) sample(Progress) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.max = max(h.max, m.HeapInuse)
}

func (h *heapPeak) report(b *testing.B) {
	h.sample(Progress{})
	b.ReportMetric(float64(h.max)/(1<<20), "peak-heap-MB")
}

func generated(b *testing.B, spec storagetest.OrgSpec) (*bolt.DB, string) {
	b.Helper()
	s := openStore(b)
	if _, err := storagetest.GenerateOrg(ctx, s, spec); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "export.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := Export(ctx, s, "bench", "", w, nil); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return s, path
}

// BenchmarkExport writes the whole workspace to a file.
func BenchmarkExport(b *testing.B) {
	for _, bc := range benchSpecs() {
		b.Run(bc.name, func(b *testing.B) {
			s, _ := generated(b, bc.spec)
			out := filepath.Join(b.TempDir(), "again.json")
			runtime.GC()
			var peak heapPeak
			b.ResetTimer()
			for range b.N {
				f, err := os.Create(out)
				if err != nil {
					b.Fatal(err)
				}
				if err := Export(ctx, s, "bench", "", f, peak.sample); err != nil {
					b.Fatal(err)
				}
				if err := f.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			peak.report(b)
			if st, err := os.Stat(out); err == nil {
				b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
			}
		})
	}
}

// BenchmarkImportDocument reads an export from its file and imports it
// into an empty store: read, plan and write, at the default batch.
func BenchmarkImportDocument(b *testing.B) {
	for _, bc := range benchSpecs() {
		b.Run(bc.name, func(b *testing.B) {
			first, path := generated(b, bc.spec)
			if err := first.Close(); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var peak heapPeak
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				s := openStore(b)
				b.StartTimer()
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				d, err := ReadDocument(f, 0)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				peak.sample(Progress{})
				sum, err := Import(ctx, s, d, Options{Progress: peak.sample})
				if err != nil {
					b.Fatal(err)
				}
				if sum.Counts[KindCheckIn].Created != len(d.CheckIns) {
					b.Fatalf("check-ins %+v of %d", sum.Counts[KindCheckIn], len(d.CheckIns))
				}
			}
			b.StopTimer()
			peak.report(b)
		})
	}
}

// BenchmarkBatch measures one import of the 1,000-person organisation
// at several transaction sizes: the case for defaultBatch.
func BenchmarkBatch(b *testing.B) {
	_, path := generated(b, benchSpecs()[0].spec)
	for _, batch := range []int{500, 5000, 50000} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s := openStore(b)
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				d, err := ReadDocument(f, 0)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := Import(ctx, s, d, Options{Batch: batch}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
