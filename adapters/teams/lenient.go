package teams

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Activities are decoded strictly first; only one that msbotbuilder-go's
// schema types refuse takes the lenient path, which rewrites the loosely
// typed values Teams and the Bot Framework are seen to send into the types
// the schema has, and leaves out what cannot be read, before decoding
// again:
//
//   - a bool as a string or a number ("isGroup": "True", "true", "1", 0);
//   - a number as a string ("occurrence": "2") and a whole number as a
//     float (2.0);
//   - an id or another string field as a number ("id": 1700);
//   - a time that is not RFC 3339 (an empty "expiration", "+0000" offsets):
//     read in a few common layouts, else left out;
//   - an object field (value, channelData) that holds a string or an array,
//     and a list that holds an object: left out.
//
// Strict where it matters: a body that is not a JSON object is refused, and
// so is an activity without a type, a service URL or a conversation (see
// ParseActivity); the token was checked before the body was read.

// activityType is what an activity decodes into.
var activityType = reflect.TypeFor[schema.Activity]()

var timeType = reflect.TypeFor[time.Time]()

// looseTimes are the layouts a time is read in when it is not RFC 3339.
var looseTimes = []string{"2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

// errNotObject: the body is JSON but not an object.
var errNotObject = errors.New("not a JSON object")

// decodeLenient decodes body into a, rewriting loosely typed values first.
func decodeLenient(body []byte, a *schema.Activity) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the activity")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return errNotObject
	}
	fitted, _ := fit(m, activityType)
	b, err := json.Marshal(fitted)
	if err != nil {
		return err
	}
	*a = schema.Activity{}
	return json.Unmarshal(b, a)
}

// fit rewrites v, decoded with UseNumber, into what encoding/json decodes
// into a value of type t; ok is false when it cannot be, and the caller
// leaves v out.
func fit(v any, t reflect.Type) (any, bool) {
	if v == nil {
		return nil, true
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return fitTime(v)
	}
	switch t.Kind() {
	case reflect.Bool:
		return fitBool(v)
	case reflect.String:
		switch x := v.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		}
		return nil, false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fitInt(v, t)
	case reflect.Float32, reflect.Float64:
		f, ok := number(v)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		fitFields(m, t)
		return m, true
	case reflect.Slice, reflect.Array:
		a, ok := v.([]any)
		if !ok {
			return nil, false
		}
		for i, e := range a {
			// A bad element becomes the zero value: the list keeps its
			// length.
			a[i], _ = fit(e, t.Elem())
		}
		return a, true
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return nil, false
		}
		for k, e := range m {
			if fe, ok := fit(e, t.Elem()); ok {
				m[k] = fe
			} else {
				delete(m, k)
			}
		}
		return m, true
	}
	return v, true
}

// fitFields fits the fields of a struct of type t that m holds, matching
// names as encoding/json does (case-insensitively).
func fitFields(m map[string]any, t reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		for k, e := range m {
			if !strings.EqualFold(k, name) {
				continue
			}
			if fe, ok := fit(e, f.Type); ok {
				m[k] = fe
			} else {
				delete(m, k)
			}
		}
	}
}

func fitBool(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	case json.Number:
		switch x.String() {
		case "1":
			return true, true
		case "0":
			return false, true
		}
	}
	return nil, false
}

func fitInt(v any, t reflect.Type) (any, bool) {
	f, ok := number(v)
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
		return nil, false
	}
	z := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if f < 0 || f > math.MaxUint64 || z.OverflowUint(uint64(f)) {
			return nil, false
		}
	default:
		if f < math.MinInt64 || f > math.MaxInt64 || z.OverflowInt(int64(f)) {
			return nil, false
		}
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
}

// number reads a JSON number, or a string holding one.
func number(v any) (float64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func fitTime(v any) (any, bool) {
	s, ok := v.(string)
	if !ok {
		return nil, false
	}
	s = strings.TrimSpace(s)
	var t time.Time
	if q, err := json.Marshal(s); err == nil && t.UnmarshalJSON(q) == nil {
		return s, true
	}
	for _, layout := range looseTimes {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.RFC3339Nano), true
		}
	}
	return nil, false
}
