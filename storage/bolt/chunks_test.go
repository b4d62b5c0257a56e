package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/storage/bolt/internal/cicodec"
)

// spanCheckIns are n check-ins on key result 1 by person 2 over a year,
// three of them at one moment, in an order that is not their time's.
func spanCheckIns(n int) []*okrcore.CheckIn {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 4))
	out := make([]*okrcore.CheckIn, n)
	for i := range out {
		when := at.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		if i < 3 {
			when = at.AddDate(0, 3, 0)
		}
		out[i] = &okrcore.CheckIn{Workspace: "T1", Target: okrcore.TargetKR, TargetID: 1, Author: 2, At: when, Value: float64(i)}
	}
	return out
}

// newestFirst are the IDs of cis, newest first as the store lists them:
// by time, then by ID.
func newestFirst(cis []*okrcore.CheckIn, since time.Time) []okrcore.ID {
	sorted := slices.Clone(cis)
	slices.SortFunc(sorted, func(a, b *okrcore.CheckIn) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return int(b.ID) - int(a.ID)
	})
	var ids []okrcore.ID
	for _, c := range sorted {
		if since.IsZero() || !c.At.Before(since) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func idsOf(cis []*okrcore.CheckIn) []okrcore.ID {
	ids := make([]okrcore.ID, len(cis))
	for i, c := range cis {
		ids[i] = c.ID
	}
	return ids
}

// TestSpanIndexes: check-ins written out of order across many spans read
// back newest first, cut by since and limit inside and across spans, by
// key result and by person; a deleted one leaves its span, and the index
// check agrees with what is stored at every step.
func TestSpanIndexes(t *testing.T) {
	db := openTest(t, Options{NoSync: true})
	ctx := context.Background()
	cis := spanCheckIns(200)
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for _, c := range cis {
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check := func(cis []*okrcore.CheckIn) {
		t.Helper()
		if err := db.Check(ctx); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			since time.Time
			limit int
		}{
			{time.Time{}, 0}, {time.Time{}, 1}, {time.Time{}, 17}, {cis[0].At, 0}, {cis[0].At.Add(time.Nanosecond), 0}, {cis[5].At, 4}, {time.Now().AddDate(50, 0, 0), 0},
		}
		for _, tc := range cases {
			want := newestFirst(cis, tc.since)
			if tc.limit > 0 {
				want = want[:min(tc.limit, len(want))]
			}
			err := db.View(ctx, func(tx okrcore.Tx) error {
				byTarget, err := tx.CheckIns("T1", okrcore.TargetKR, 1, tc.since, tc.limit)
				if err != nil {
					return err
				}
				byAuthor, err := tx.CheckInsByAuthor("T1", 2, tc.since, tc.limit)
				if err != nil {
					return err
				}
				times, err := tx.CheckInTimesByAuthor("T1", 2, tc.since)
				if err != nil {
					return err
				}
				if got := idsOf(byTarget); !slices.Equal(got, want) {
					t.Errorf("since %v limit %d: by target %v, want %v", tc.since, tc.limit, got, want)
				}
				if got := idsOf(byAuthor); !slices.Equal(got, want) {
					t.Errorf("since %v limit %d: by author %v, want %v", tc.since, tc.limit, got, want)
				}
				if tc.limit == 0 && len(times) != len(want) {
					t.Errorf("since %v: %d times, want %d", tc.since, len(times), len(want))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	check(cis)
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for _, c := range []*okrcore.CheckIn{cis[1], cis[50], cis[50]} {
			if err := tx.DeleteCheckIn("T1", c.ID); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	check(slices.Delete(slices.Delete(slices.Clone(cis), 50, 51), 1, 2))
}

// TestSpanIndexDamaged: an index entry whose list was damaged is an error
// for whoever reads it and for the index check, never a panic.
func TestSpanIndexDamaged(t *testing.T) {
	cases := map[string][]byte{
		"truncated":    {0, 1, 2},
		"bad id":       append(make([]byte, 8), 0x80),
		"out of order": {1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 6},
		"empty":        {},
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			db, err := Open(filepath.Join(t.TempDir(), "okrbot.db"), Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			if err := db.Update(ctx, func(tx okrcore.Tx) error { return tx.AddCheckIn(spanCheckIns(1)[0]) }); err != nil {
				t.Fatal(err)
			}
			if err := db.bolt.Update(func(tx *bbolt.Tx) error {
				b := tx.Bucket(ciByAuthor.bucket)
				k, _ := b.Cursor().First()
				return b.Put(k, bad)
			}); err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx okrcore.Tx) error {
				_, err := tx.CheckInsByAuthor("T1", 2, time.Time{}, 0)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "malformed entry") {
				t.Errorf("reading: %v", err)
			}
			if err := db.Check(ctx); err == nil || !strings.Contains(err.Error(), string(ciByAuthor.bucket)) {
				t.Errorf("check: %v", err)
			}
		})
	}
}

// writeV4 turns the check-in indexes of the file at path back into those
// of schema version 4, an entry per check-in, as that version wrote them.
func writeV4(t *testing.T, path string) {
	t.Helper()
	bdb, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bbolt.Tx) error {
		for _, ix := range []ciIndex{ciByTarget, ciByAuthor} {
			if _, err := tx.CreateBucket(ix.v4); err != nil {
				return err
			}
			if err := tx.DeleteBucket(ix.bucket); err != nil {
				return err
			}
		}
		err := tx.Bucket(bucketCI).ForEach(func(k, v []byte) error {
			at := prefixLen(k)
			id, _, _ := cuAt(k, at)
			c, err := cicodec.Decode("T1", okrcore.ID(id), v)
			if err != nil {
				return err
			}
			for i, prefix := range ciPrefixes(key(k[:at]), c) {
				ix := []ciIndex{ciByTarget, ciByAuthor}[i]
				if err := tx.Bucket(ix.v4).Put(prefix.time(c.At).cu(id), nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, 4))
	}); err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeV4: a file of schema version 4 reads the same opened
// read-only, untouched, and opened for writing, where its indexes are
// rebuilt as spans and the old ones dropped.
func TestUpgradeV4(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v4.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cis := spanCheckIns(60)
	if err := db.Update(ctx, func(tx okrcore.Tx) error {
		for _, c := range cis {
			if err := tx.AddCheckIn(c); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	writeV4(t, path)
	want := newestFirst(cis, time.Time{})
	for _, opts := range []Options{{ReadOnly: true}, {NoSync: true}} {
		db, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, func(tx okrcore.Tx) error {
			byTarget, err := tx.CheckIns("T1", okrcore.TargetKR, 1, time.Time{}, 0)
			if err != nil {
				return err
			}
			byAuthor, err := tx.CheckInsByAuthor("T1", 2, cis[0].At, 0)
			if err != nil {
				return err
			}
			if !slices.Equal(idsOf(byTarget), want) || !slices.Equal(idsOf(byAuthor), newestFirst(cis, cis[0].At)) {
				t.Errorf("read-only %v: by target %v, by author %v", opts.ReadOnly, idsOf(byTarget), idsOf(byAuthor))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read-only %v: %v", opts.ReadOnly, err)
		}
		if !opts.ReadOnly {
			if err := db.Check(ctx); err != nil {
				t.Fatal(err)
			}
			if err := db.bolt.View(func(tx *bbolt.Tx) error {
				if tx.Bucket(ciByAuthor.v4) != nil || tx.Bucket(ciByTarget.v4) != nil {
					t.Error("the indexes of version 4 are still there")
				}
				v, err := schemaVersion(tx)
				if v != SchemaVersion() {
					t.Errorf("schema version %d, want %d", v, SchemaVersion())
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzDecodeRefs: any bytes decode to a list or an error, never a panic,
// and a list decoded encodes back to the same bytes.
func FuzzDecodeRefs(f *testing.F) {
	f.Add(encodeRefs([]ciRef{{1, 2}, {1, 3}, {1 << 62, 1 << 40}}))
	f.Add([]byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		refs, err := decodeRefs(nil, b)
		if err != nil {
			return
		}
		if again := encodeRefs(refs); string(again) != string(b) {
			t.Fatalf("%x decoded to %v, which encodes to %x", b, refs, again)
		}
	})
}

// BenchmarkCheckInYear reads check-ins after a year of them: 1,000
// people with 10 key results each, a check-in on every key result every
// week (520,000, written a week at a time as they arrive), then a key
// result's history, a person's last four weeks (the per-person views), a
// person's year, and the times of a person's year (the streak).
//
//	go test -run '^$' -bench CheckInYear ./storage/bolt
func BenchmarkCheckInYear(b *testing.B) {
	const people, krs, weeks = 1000, 10, 52
	db, err := Open(filepath.Join(b.TempDir(), "year.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	start := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(5, 6))
	for w := range weeks {
		for from := 0; from < people; from += 200 {
			err := db.Update(ctx, func(tx okrcore.Tx) error {
				for p := from; p < from+200; p++ {
					for k := range krs {
						at := start.AddDate(0, 0, 7*w).Add(time.Duration(r.Int64N(int64(72 * time.Hour))))
						c := &okrcore.CheckIn{Workspace: "w", Target: okrcore.TargetKR, TargetID: okrcore.ID(p*krs + k + 1), Author: okrcore.ID(p + 1), At: at, Value: float64(w)}
						if err := tx.AddCheckIn(c); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	end := start.AddDate(0, 0, 7*weeks)
	reads := []struct {
		name string
		want int
		read func(tx okrcore.Tx, p okrcore.ID) (int, error)
	}{
		{"kr-history", weeks, func(tx okrcore.Tx, p okrcore.ID) (int, error) {
			cis, err := tx.CheckIns("w", okrcore.TargetKR, (p-1)*krs+1, time.Time{}, 0)
			return len(cis), err
		}},
		{"person-4-weeks", 4 * krs, func(tx okrcore.Tx, p okrcore.ID) (int, error) {
			cis, err := tx.CheckInsByAuthor("w", p, end.AddDate(0, 0, -28), 0)
			return len(cis), err
		}},
		{"person-year", weeks * krs, func(tx okrcore.Tx, p okrcore.ID) (int, error) {
			cis, err := tx.CheckInsByAuthor("w", p, time.Time{}, 0)
			return len(cis), err
		}},
		{"person-year-times", weeks * krs, func(tx okrcore.Tx, p okrcore.ID) (int, error) {
			times, err := tx.CheckInTimesByAuthor("w", p, time.Time{})
			return len(times), err
		}},
	}
	for _, rd := range reads {
		b.Run(rd.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				p := okrcore.ID(i%people + 1)
				i++
				err := db.View(ctx, func(tx okrcore.Tx) error {
					n, err := rd.read(tx, p)
					if err == nil && (n < rd.want-krs || n > rd.want) {
						err = fmt.Errorf("person %d: %d read, want about %d", p, n, rd.want)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
