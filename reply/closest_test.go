package reply

import "testing"

func TestClosest(t *testing.T) {
	words := []string{"mine", "team", "teams", "digest", "checkin"}
	for _, tc := range []struct{ typed, want string }{
		{"mien", "mine"},
		{"tem", "team"},
		{"teams", "teams"},
		{"chekin", "checkin"},
		{"dijest", "digest"},
		{"xyzzy", ""},
		{"", ""},
		{"tëam", "team"},
	} {
		if got := Closest(tc.typed, words); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}
