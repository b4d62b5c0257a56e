package transfer

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestArena(t *testing.T) {
	var a arena
	long := "x" + strings.Repeat("é", arenaBlock/2) // a block and a byte, its last character across the end
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"short", "Week 1: 3 new accounts.", "Week 1: 3 new accounts."},
		{"fills most of a block", strings.Repeat("x", arenaBlock-100), strings.Repeat("x", arenaBlock-100)},
		{"does not fit what is left", strings.Repeat("y", 200), strings.Repeat("y", 200)},
		{"over a block, cut at a character", long, long[:arenaBlock-1]},
		{"after", "next", "next"},
	}
	kept := make([]text, len(tests))
	for i, tc := range tests {
		tx, err := a.add(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		kept[i] = tx
	}
	// Read after every add: a later block never moves an earlier string.
	for i, tc := range tests {
		got := a.get(kept[i])
		if got != tc.want {
			t.Errorf("%s: got %d bytes %.20q, want %d bytes %.20q", tc.name, len(got), got, len(tc.want), tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: not valid UTF-8", tc.name)
		}
	}
	if len(a.blocks) != 4 {
		t.Errorf("%d blocks, want 4", len(a.blocks))
	}
}

// TestHeldCheckInHasNoPointers: a million held check-ins are one block
// the collector does not scan only while heldCheckIn holds no pointer.
func TestHeldCheckInHasNoPointers(t *testing.T) {
	var walk func(path string, ty reflect.Type)
	walk = func(path string, ty reflect.Type) {
		switch ty.Kind() {
		case reflect.Struct:
			for i := range ty.NumField() {
				f := ty.Field(i)
				walk(path+"."+f.Name, f.Type)
			}
		case reflect.Array:
			walk(path+"[]", ty.Elem())
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		default:
			t.Errorf("heldCheckIn%s is a %s, which the collector follows", path, ty.Kind())
		}
	}
	walk("", reflect.TypeFor[heldCheckIn]())
}
