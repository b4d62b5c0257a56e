package totals

import (
	"bytes"
	"math"
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		t    *Totals
	}{
		{"empty", &Totals{}},
		{"one key result", &Totals{Epoch: 3, KeyResults: []Entry{{ID: 1, Weight: 0, Progress: 0.25, CreatedSec: 1800000000, CreatedNsec: 5}}}},
		{"said and aligned", &Totals{Epoch: 1 << 40,
			KeyResults: []Entry{{ID: 9, Weight: 2, Progress: 1, CreatedSec: -62135596800, Said: "at_risk", UntilSec: 1800000000, UntilNsec: 999999999}},
			Aligned:    []Entry{{ID: 1 << 50, Weight: 0.5, Progress: math.Copysign(0, -1)}, {ID: 2, Weight: math.NaN(), Progress: 0.3}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := Encode(tc.t)
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if again := Encode(got); !bytes.Equal(again, b) {
				t.Fatalf("read back and written again: %x, was %x", again, b)
			}
			if len(tc.t.KeyResults) > 0 && !reflect.DeepEqual(got.KeyResults, tc.t.KeyResults) {
				t.Fatalf("key results %+v, want %+v", got.KeyResults, tc.t.KeyResults)
			}
		})
	}
}

func TestDecodeRefusesDamage(t *testing.T) {
	good := Encode(&Totals{Epoch: 2, KeyResults: []Entry{{ID: 4, Progress: 0.5, Said: "off_track", UntilSec: 10}}, Aligned: []Entry{{ID: 5, Weight: 1}}})
	cases := map[string][]byte{
		"nothing":         nil,
		"another version": append([]byte{9}, good[1:]...),
		"cut short":       good[:len(good)-3],
		"a byte too many": append(append([]byte{}, good...), 0),
		"a huge count":    {version, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0},
		"a long status":   append([]byte{version, 0, 1, 0, 1}, append(make([]byte, 16), 0, 0, 100)...),
		"nanoseconds over a second": append([]byte{version, 0, 1, 0, 1},
			append(make([]byte, 16), 0, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0)...),
	}
	for name, b := range cases {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	list := []Entry{{ID: 3}, {ID: 7}}
	if !Replace(list, Entry{ID: 7, Progress: 0.5}) || list[1].Progress != 0.5 || list[0].Progress != 0 {
		t.Errorf("Replace left %+v", list)
	}
	if Replace(list, Entry{ID: 8}) || Replace(nil, Entry{ID: 7}) {
		t.Error("Replace found an entry that is not there")
	}
}

// FuzzDecode: whatever the bytes, Decode returns or refuses without
// panicking, and what it reads is written in a form it reads back the same
// (a number written longer than it needs is written short).
func FuzzDecode(f *testing.F) {
	f.Add(Encode(&Totals{}))
	f.Add(Encode(&Totals{Epoch: 7, KeyResults: []Entry{{ID: 1, Weight: 1, Progress: 0.4, CreatedSec: 17e8, Said: "at_risk", UntilSec: 18e8}}, Aligned: []Entry{{ID: 2, Progress: 1}}}))
	f.Add([]byte{version, 0, 2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Decode(b)
		if err != nil {
			return
		}
		once := Encode(got)
		back, err := Decode(once)
		if err != nil {
			t.Fatalf("%x read and written as %x, which is refused: %v", b, once, err)
		}
		if twice := Encode(back); !bytes.Equal(twice, once) {
			t.Fatalf("%x read and written is %x, then %x", b, once, twice)
		}
	})
}
