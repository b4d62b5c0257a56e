package cicodec

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func TestCheckInRoundTrip(t *testing.T) {
	conf := func(n int) *int { return &n }
	at := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	full := &okrcore.CheckIn{ID: 7, Workspace: "T1", Target: okrcore.TargetKPI, TargetID: 1 << 40, Author: 3, At: at.Add(123).In(time.FixedZone("", -5*3600)),
		Value: 12.34, Previous: math.Pi, Confidence: conf(-3), Status: "paused", Note: "a note\x00with a zero", Blockers: "legal",
		Prior: &okrcore.Prior{Confidence: conf(7), Status: okrcore.StatusDone, StatusSet: true,
			Stated: &okrcore.Statement{Status: okrcore.StatusOffTrack, By: 9, At: at, Until: at.AddDate(0, 0, 5)}, LastCheckIn: at.AddDate(-300, 0, 0)},
		UndoOf: 5}
	cases := []struct {
		name string
		c    *okrcore.CheckIn
	}{
		{"least", &okrcore.CheckIn{ID: 1, Workspace: "w", Target: okrcore.TargetKR}},
		{"weekly", &okrcore.CheckIn{ID: 2, Workspace: "w", Target: okrcore.TargetKR, TargetID: 99999, Author: 4242, At: at, Value: 45, Previous: 40,
			Confidence: conf(7), Status: okrcore.StatusOnTrack, Prior: &okrcore.Prior{LastCheckIn: at.AddDate(0, 0, -7)}}},
		{"every field", full},
		{"odd numbers", &okrcore.CheckIn{ID: 3, Workspace: "w", Target: okrcore.TargetKR, At: at, Value: math.Copysign(0, -1), Previous: math.Inf(-1)}},
		{"huge numbers", &okrcore.CheckIn{ID: 4, Workspace: "w", Target: okrcore.TargetKR, At: at, Value: 1e300, Previous: -0.01}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Encode(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(tc.c.Workspace, tc.c.ID, data)
			if err != nil {
				t.Fatal(err)
			}
			sameCheckIn(t, got, tc.c)
		})
	}
	if _, err := Encode(&okrcore.CheckIn{Target: "objective"}); err == nil {
		t.Fatal("a check-in on an objective was encoded")
	}
}

// sameCheckIn compares field by field: numbers by their bits, times by
// instant and offset (what is stored of them).
func sameCheckIn(t *testing.T, got, want *okrcore.CheckIn) {
	t.Helper()
	g, w := flatten(got), flatten(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("read back\n%+v\nwant\n%+v", g, w)
	}
}

// flatten is c with its pointers followed, times as instant and offset
// and numbers as bits, for comparing.
func flatten(c *okrcore.CheckIn) []any {
	tm := func(t time.Time) any {
		_, off := t.Zone()
		return [3]int64{t.Unix(), int64(t.Nanosecond()), int64(off)}
	}
	out := []any{c.ID, c.Workspace, c.Target, c.TargetID, c.Author, tm(c.At), math.Float64bits(c.Value), math.Float64bits(c.Previous),
		c.Confidence == nil, c.Status, c.Note, c.Blockers, c.UndoOf, c.Prior == nil}
	if c.Confidence != nil {
		out = append(out, *c.Confidence)
	}
	if p := c.Prior; p != nil {
		out = append(out, p.Confidence == nil, p.Status, p.StatusSet, tm(p.LastCheckIn), p.Stated == nil)
		if p.Confidence != nil {
			out = append(out, *p.Confidence)
		}
		if s := p.Stated; s != nil {
			out = append(out, s.Status, s.By, tm(s.At), tm(s.Until))
		}
	}
	return out
}

func TestDecodeCheckInBadBytes(t *testing.T) {
	good, err := Encode(&okrcore.CheckIn{Target: okrcore.TargetKR, TargetID: 5, Author: 2, At: time.Unix(1.8e9, 5), Value: 1.5, Note: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":          nil,
		"JSON":           []byte(`{"id":1}`),
		"unknown format": append([]byte{2}, good[1:]...),
		"unknown flags":  {Format, 0x80, 0x40},
		"left over":      append(append([]byte(nil), good...), 0),
		"bad time tag":   {Format, 0, 1, 1, 9},
	}
	for i := 1; i < len(good); i++ {
		cases["cut at "+string(rune('0'+i))] = good[:i]
	}
	for name, b := range cases {
		if c, err := Decode("w", 1, b); err == nil {
			t.Errorf("%s: decoded %+v", name, c)
		}
	}
}

// FuzzDecodeCheckIn: any bytes decode to a check-in or an error, never a
// panic, and what decodes encodes back to the same bytes.
func FuzzDecodeCheckIn(f *testing.F) {
	conf := 6
	at := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	for _, c := range []*okrcore.CheckIn{
		{Target: okrcore.TargetKR, TargetID: 12, Author: 3, At: at, Value: 4.5, Previous: 4, Confidence: &conf, Note: "on plan",
			Prior: &okrcore.Prior{Status: okrcore.StatusAtRisk, StatusSet: true, LastCheckIn: at.AddDate(0, 0, -7)}},
		{Target: okrcore.TargetKPI, TargetID: 1 << 33, At: at.In(time.FixedZone("", 3600)), Status: "paused", Blockers: "legal", UndoOf: 9},
	} {
		if b, err := Encode(c); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Decode("w", 1, b)
		if err != nil {
			return
		}
		again, err := Encode(c)
		if err != nil {
			t.Fatalf("decoded %+v, which does not encode: %v", c, err)
		}
		back, err := Decode("w", 1, again)
		if err != nil {
			t.Fatal(err)
		}
		sameCheckIn(t, back, c)
	})
}

// FuzzCheckInRoundTrip: a check-in made of any values reads back equal.
func FuzzCheckInRoundTrip(f *testing.F) {
	f.Add(uint64(1), uint64(2), int64(1.8e9), int64(0), 0, 45.0, 40.0, 7, "on_track", "note", "", uint64(0), true)
	f.Add(uint64(1<<63), uint64(0), int64(-1e10), int64(999999999), -3600, -0.5, 1e-9, -1, "", "", "blocked", uint64(9), false)
	f.Fuzz(func(t *testing.T, target, author uint64, sec, nsec int64, off int, value, prev float64, conf int, status, note, blockers string, undo uint64, kpi bool) {
		if nsec < 0 || nsec >= 1e9 || off < -24*3600 || off > 24*3600 || sec < -1e15 || sec > 1e15 {
			return
		}
		at := time.Unix(sec, nsec).In(time.FixedZone("", off))
		c := &okrcore.CheckIn{ID: 1, Workspace: "w", Target: okrcore.TargetKR, TargetID: okrcore.ID(target), Author: okrcore.ID(author), At: at,
			Value: value, Previous: prev, Confidence: &conf, Status: okrcore.Status(status), Note: note, Blockers: blockers, UndoOf: okrcore.ID(undo),
			Prior: &okrcore.Prior{Confidence: &conf, Status: okrcore.Status(status), StatusSet: kpi, LastCheckIn: at,
				Stated: &okrcore.Statement{Status: okrcore.Status(note), By: okrcore.ID(author), At: at, Until: at}}}
		if kpi {
			c.Target = okrcore.TargetKPI
		}
		data, err := Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode("w", 1, data)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		sameCheckIn(t, got, c)
	})
}
