package reccodec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// codec is one kind's pair of functions over any, for the tests.
type codec struct {
	name   string
	zero   func() any
	encode func(b []byte, rec any) []byte
	decode func(v []byte, ws string, rec any) error
}

var codecs = []codec{
	{"user", func() any { return &okrcore.User{} },
		func(b []byte, r any) []byte { return EncodeUser(b, r.(*okrcore.User)) },
		func(v []byte, ws string, r any) error { return DecodeUser(v, ws, r.(*okrcore.User)) }},
	{"team", func() any { return &okrcore.Team{} },
		func(b []byte, r any) []byte { return EncodeTeam(b, r.(*okrcore.Team)) },
		func(v []byte, ws string, r any) error { return DecodeTeam(v, ws, r.(*okrcore.Team)) }},
	{"objective", func() any { return &okrcore.Objective{} },
		func(b []byte, r any) []byte { return EncodeObjective(b, r.(*okrcore.Objective)) },
		func(v []byte, ws string, r any) error { return DecodeObjective(v, ws, r.(*okrcore.Objective)) }},
	{"key result", func() any { return &okrcore.KeyResult{} },
		func(b []byte, r any) []byte { return EncodeKeyResult(b, r.(*okrcore.KeyResult)) },
		func(v []byte, ws string, r any) error { return DecodeKeyResult(v, ws, r.(*okrcore.KeyResult)) }},
}

// fill sets every field reachable from v (pointers made, two elements in
// each list) to a value no other field has, so that a field the codec
// forgets, or reads into its neighbour, shows.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(*n) * 1001 * time.Millisecond)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(-*n))
	case reflect.Uint64:
		v.SetUint(uint64(*n) << 20)
	case reflect.Float64:
		v.SetFloat(float64(*n) + 1.0/3)
	default:
		panic(fmt.Sprintf("fill: a field of kind %s; teach fill and the codec about it", v.Kind()))
	}
}

// same compares two records as JSON, which shows every field, numbers
// exactly, and times with their offset.
func same(t *testing.T, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("read back\n%s\nwant\n%s", g, w)
	}
}

// TestEveryFieldRoundTrips fails when a field is added to a record and
// not to its codec.
func TestEveryFieldRoundTrips(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			rec, n := c.zero(), 0
			fill(reflect.ValueOf(rec).Elem(), &n)
			got := c.zero()
			if err := c.decode(c.encode(nil, rec), "", got); err != nil {
				t.Fatal(err)
			}
			same(t, got, rec)
			if !reflect.DeepEqual(got, rec) {
				t.Fatalf("read back %+v\nwant %+v", got, rec)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	conf, score := 7, 0.7
	at := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC)
	berlin := at.Add(123 * time.Nanosecond).In(time.FixedZone("", 3600))
	recs := []struct {
		name string
		rec  any
	}{
		{"a new person", &okrcore.User{ID: 1, Workspace: "T1", Platform: "slack", PlatformID: "U1", Name: "Ada", Role: okrcore.RoleAdmin, CreatedAt: at}},
		{"a person on two platforms", &okrcore.User{ID: 1 << 40, Workspace: "T1", Platform: "teams", PlatformID: "29:x", Name: "Zoë \x00 Ünïcode",
			Email: "zoe@example.com", EmailVerified: true, TimeZone: "Europe/Berlin", Role: "guest", DM: "D1", DMRef: `{"ref":1}`,
			Linked:  []okrcore.Account{{Platform: "slack", PlatformID: "U9"}, {Platform: "discord", PlatformID: "d", DM: "x", DMRef: "y"}},
			NudgeOn: "slack", Left: true, CreatedAt: berlin}},
		{"an empty team", &okrcore.Team{ID: 2, Workspace: "T1", Name: "Platform"}},
		{"a team with a rhythm", &okrcore.Team{ID: 3, Workspace: "T1", Name: "Sales", Lead: 4, Members: []okrcore.ID{4, 1 << 50, 6}, Parent: 1,
			DigestChannel: "C1", DigestPlatform: "teams", TimeZone: "Asia/Tokyo",
			Schedule: &okrcore.Schedule{CheckIn: okrcore.Slot{Cadence: okrcore.Weekly, Weekday: time.Monday, Hour: 10},
				Digest: okrcore.Slot{Cadence: "monthly", Day: 28, Hour: 23, Minute: 59}, GradingDays: -1}}},
		{"an objective", &okrcore.Objective{ID: 4, Workspace: "T1", Cycle: 1, Title: "Grow", Owner: okrcore.TeamOwner(3), ParentObjective: 1,
			Progress: 0.4166666666666667, Status: okrcore.StatusAtRisk, CreatedBy: 1, CreatedAt: at, UpdatedAt: berlin}},
		{"a graded objective", &okrcore.Objective{ID: 5, Workspace: "T1", Cycle: 1, Owner: okrcore.UserOwner(1), ParentKR: 9, Weight: 2,
			Progress: math.Copysign(0, -1), Score: &score, Status: "paused"}},
		{"a key result", &okrcore.KeyResult{ID: 6, Workspace: "T1", Objective: 4, Cycle: 1, Title: "ARR to 10M", Owner: okrcore.UserOwner(1),
			Metric: okrcore.MetricCurrency, Start: 1.5e6, Target: 1e7, Current: 4.25e6, Unit: "EUR", Direction: okrcore.Increase, Weight: 1,
			Progress: 0.3235294117647059, Status: okrcore.StatusOnTrack, Confidence: &conf, StatusSet: true,
			Stated:      &okrcore.Statement{Status: okrcore.StatusOffTrack, By: 1, At: berlin, Until: at.AddDate(0, 0, 7)},
			LastCheckIn: berlin, Score: &score, CreatedAt: at, UpdatedAt: at}},
		{"odd numbers", &okrcore.KeyResult{ID: 7, Workspace: "T1", Metric: "custom", Start: math.MaxFloat64, Target: -math.SmallestNonzeroFloat64,
			Current: 1e-300, Direction: okrcore.Decrease, Unit: "%"}},
	}
	for _, tc := range recs {
		t.Run(tc.name, func(t *testing.T) {
			c := codecOf(t, tc.rec)
			v := c.encode(make([]byte, 3, 64), tc.rec)
			if !IsCompact(v) {
				t.Fatalf("value %q does not start with the format", v)
			}
			j, _ := json.Marshal(tc.rec)
			t.Logf("%d bytes, %d as JSON", len(v), len(j))
			for _, ws := range []string{"", "T1", "T2"} {
				got := c.zero()
				if err := c.decode(v, ws, got); err != nil {
					t.Fatal(err)
				}
				same(t, got, tc.rec)
			}
		})
	}
}

func codecOf(t *testing.T, rec any) codec {
	t.Helper()
	for _, c := range codecs {
		if reflect.TypeOf(c.zero()) == reflect.TypeOf(rec) {
			return c
		}
	}
	t.Fatalf("no codec for %T", rec)
	return codec{}
}

// TestDecodeBadBytes: JSON, another format, unknown flags, a value cut
// anywhere or with bytes left over is an error, never a panic.
func TestDecodeBadBytes(t *testing.T) {
	for _, c := range codecs {
		rec, n := c.zero(), 0
		fill(reflect.ValueOf(rec).Elem(), &n)
		good := c.encode(nil, rec)
		cases := map[string][]byte{
			"empty":          nil,
			"JSON":           []byte(`{"id":1}`),
			"another format": append([]byte{Format + 1}, good[1:]...),
			"unknown flags":  {Format, 0x7f},
			"left over":      append(append([]byte(nil), good...), 0),
			"a huge list":    append([]byte{Format, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0xff, 0xff, 0xff, 0xff, 0x0f),
		}
		for i := 1; i < len(good); i++ {
			cases[fmt.Sprintf("cut at %d", i)] = good[:i]
		}
		for name, b := range cases {
			if err := c.decode(b, "", c.zero()); err == nil {
				t.Errorf("%s, %s: decoded", c.name, name)
			}
		}
	}
	if IsCompact([]byte(`{"id":1}`)) || IsCompact(nil) {
		t.Fatal("JSON taken for the compact form")
	}
}

// FuzzDecode: any bytes decode to a record or an error, never a panic,
// and what decodes encodes back to what decodes the same.
func FuzzDecode(f *testing.F) {
	for _, c := range codecs {
		rec, n := c.zero(), 0
		fill(reflect.ValueOf(rec).Elem(), &n)
		f.Add(c.encode(nil, rec))
		f.Add(c.encode(nil, c.zero()))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range codecs {
			rec := c.zero()
			if err := c.decode(b, "w", rec); err != nil {
				continue
			}
			back := c.zero()
			if err := c.decode(c.encode(nil, rec), "w", back); err != nil {
				t.Fatalf("%s %+v encodes to what does not decode: %v", c.name, rec, err)
			}
			if !reflect.DeepEqual(back, rec) {
				t.Fatalf("%s: %+v read back as %+v", c.name, rec, back)
			}
		}
	})
}

// FuzzKeyResultRoundTrip: a key result of any values reads back equal.
func FuzzKeyResultRoundTrip(f *testing.F) {
	f.Add(uint64(1), "T1", "ARR", 0.0, 100.0, 45.5, "EUR", int64(1.8e9), int64(0), 3600, 7, "on_track")
	f.Add(uint64(1<<63), "", "", math.Inf(1), -0.01, 1e300, "", int64(-1e10), int64(999999999), -7200, -1, "")
	f.Fuzz(func(t *testing.T, id uint64, ws, title string, start, target, current float64, unit string, sec, nsec int64, off, conf int, status string) {
		if nsec < 0 || nsec >= 1e9 || off < -24*3600 || off > 24*3600 || sec < -1e15 || sec > 1e15 {
			return
		}
		at := time.Unix(sec, nsec).In(time.FixedZone("", off))
		k := &okrcore.KeyResult{ID: okrcore.ID(id), Workspace: ws, Title: title, Start: start, Target: target, Current: current, Unit: unit,
			Status: okrcore.Status(status), Confidence: &conf, LastCheckIn: at, Stated: &okrcore.Statement{Status: okrcore.Status(title), At: at, Until: at}}
		got := &okrcore.KeyResult{}
		if err := DecodeKeyResult(EncodeKeyResult(nil, k), ws, got); err != nil {
			t.Fatalf("%+v: %v", k, err)
		}
		flat := func(k *okrcore.KeyResult) []any {
			tm := func(t time.Time) [3]int64 {
				_, off := t.Zone()
				return [3]int64{t.Unix(), int64(t.Nanosecond()), int64(off)}
			}
			return []any{k.ID, k.Workspace, k.Title, math.Float64bits(k.Start), math.Float64bits(k.Target), math.Float64bits(k.Current), k.Unit,
				k.Status, *k.Confidence, tm(k.LastCheckIn), k.Stated.Status, tm(k.Stated.At), tm(k.Stated.Until)}
		}
		if g, w := flat(got), flat(k); !reflect.DeepEqual(g, w) {
			t.Fatalf("read back %v, want %v", g, w)
		}
	})
}
