package vivagoals

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// The records of an export as its JSON says them. Field names are Viva
// Goals's; the decoder matches them without regard to case. Values whose
// shape varies between exports (an ID as a number or as text, one owner or
// a list of them) have types that take every shape seen.

type rawUser struct {
	ID     vid    `json:"ID"`
	Name   string `json:"Name"`
	Email  string `json:"Email"`
	Status string `json:"Status"`
}

type rawTeam struct {
	ID          vid          `json:"ID"`
	Name        string       `json:"Team Name"`
	Parent      ref          `json:"Parent Team"`
	Owners      list[person] `json:"Team Owners"`
	Members     list[person] `json:"Team Members"`
	Status      string       `json:"Status"`
	Description string       `json:"Description"`
}

type rawPeriod struct {
	ID    vid    `json:"ID"`
	Name  string `json:"Time Period Name"`
	Alt   string `json:"Name"`
	Start string `json:"Start Date"`
	End   string `json:"End Date"`
}

type rawItem struct {
	ID          vid            `json:"ID"`
	Title       string         `json:"Title"`
	Type        string         `json:"Type"`
	Owner       list[person]   `json:"Owner"`
	Teams       list[ref]      `json:"Teams"`
	Period      ref            `json:"Time Period"`
	Alignment   list[rawAlign] `json:"Alignment"`
	ParentIDs   list[vid]      `json:"Parent IDs"`
	Description string         `json:"Description"`
	Progress    num            `json:"Progress"`
	Status      string         `json:"Status"`
	Score       num            `json:"Score"`
	GoalType    string         `json:"Goal Type"`
	Outcome     *rawOutcome    `json:"Outcome"`
	CreatedAt   string         `json:"Created At"`
	LastCheckIn string         `json:"Last Check-in"`
}

type rawAlign struct {
	ID     vid    `json:"ID"`
	Title  string `json:"Title"`
	Weight num    `json:"Weight"`
}

type rawOutcome struct {
	Type       string `json:"Outcome Type"`
	MetricName string `json:"Metric Name"`
	Unit       string `json:"Metric Unit"`
	Start      num    `json:"Start"`
	Target     num    `json:"Target"`
	TargetType string `json:"Target Type"`
}

// typeError says a value has a shape its field cannot take. Its offset
// is left to the decoder's position of the record.
func typeError(b []byte, t reflect.Type) error {
	return &json.UnmarshalTypeError{Value: shapeOf(b), Type: t}
}

func shapeOf(b []byte) string {
	switch first(b) {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}

func first(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func isNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// unquote reads a JSON string; most need no unescaping and are sliced.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// inner drops the offset of an error from decoding part of a record: it
// counts from that part, not from the file.
func inner(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		te.Offset = 0
	}
	return err
}

// vid is an ID, written as a number or as text.
type vid string

func (v *vid) UnmarshalJSON(b []byte) error {
	switch c := first(b); {
	case isNull(b):
		*v = ""
	case c == '"':
		s, err := unquote(bytes.TrimSpace(b))
		if err != nil {
			return inner(err)
		}
		*v = vid(strings.TrimSpace(s))
	case c == '-' || c >= '0' && c <= '9':
		*v = vid(bytes.TrimSpace(b))
	default:
		return typeError(b, reflect.TypeFor[vid]())
	}
	return nil
}

// num is a number that may be absent, null, or written as text ("60%",
// "1,200"). Text that is no number counts as absent.
type num struct {
	V       float64
	OK      bool
	Percent bool // written with a % sign
}

func (n *num) UnmarshalJSON(b []byte) error {
	*n = num{}
	switch c := first(b); {
	case isNull(b):
	case c == '"':
		s, err := unquote(bytes.TrimSpace(b))
		if err != nil {
			return inner(err)
		}
		s = strings.TrimSpace(s)
		n.Percent = strings.HasSuffix(s, "%")
		s = strings.NewReplacer("%", "", ",", "", " ", "").Replace(s)
		if v, err := strconv.ParseFloat(s, 64); err == nil && !isBad(v) {
			n.V, n.OK = v, true
		}
	case c == '-' || c >= '0' && c <= '9':
		v, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
		if err != nil || isBad(v) {
			return typeError(b, reflect.TypeFor[num]())
		}
		n.V, n.OK = v, true
	default:
		return typeError(b, reflect.TypeFor[num]())
	}
	return nil
}

func isBad(v float64) bool { return v != v || v > 1e300 || v < -1e300 }

// person is a user as a record names one: an object with ID, Name and
// Email, or just a name or an address.
type person rawUser

func (p *person) UnmarshalJSON(b []byte) error {
	*p = person{}
	switch c := first(b); {
	case isNull(b):
	case c == '{':
		return inner(json.Unmarshal(b, (*rawUser)(p)))
	case c == '"':
		s, err := unquote(bytes.TrimSpace(b))
		if err != nil {
			return inner(err)
		}
		s = strings.TrimSpace(s)
		if strings.Contains(s, "@") {
			p.Email = s
		} else {
			p.Name = s
		}
	case c == '-' || c >= '0' && c <= '9':
		p.ID = vid(bytes.TrimSpace(b))
	default:
		return typeError(b, reflect.TypeFor[person]())
	}
	return nil
}

// ref names a record by ID and name: an object, or just one of the two.
type ref struct {
	ID   vid    `json:"ID"`
	Name string `json:"Name"`
}

func (r *ref) UnmarshalJSON(b []byte) error {
	*r = ref{}
	type plain ref
	switch c := first(b); {
	case isNull(b):
	case c == '{':
		return inner(json.Unmarshal(b, (*plain)(r)))
	case c == '"':
		s, err := unquote(bytes.TrimSpace(b))
		if err != nil {
			return inner(err)
		}
		r.Name = strings.TrimSpace(s)
	case c == '-' || c >= '0' && c <= '9':
		r.ID = vid(bytes.TrimSpace(b))
	default:
		return typeError(b, reflect.TypeFor[ref]())
	}
	return nil
}

// list is a list of values, or one value where a list belongs.
type list[T any] []T

func (l *list[T]) UnmarshalJSON(b []byte) error {
	*l = nil
	switch first(b) {
	case 'n':
		return nil
	case '[':
		var s []T
		if err := json.Unmarshal(b, &s); err != nil {
			return inner(err)
		}
		*l = s
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return inner(err)
	}
	*l = list[T]{one}
	return nil
}
