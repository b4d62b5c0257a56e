package reply

import (
	"strings"
	"testing"
)

func TestParseSlot(t *testing.T) {
	tests := []struct {
		in   []string
		want string
		err  string
	}{
		{[]string{"monday", "10:00"}, "every Monday at 10:00", ""},
		{[]string{"biweekly", "tue", "9:30"}, "every other Tuesday at 09:30", ""},
		{[]string{"monthly", "1st", "4pm"}, "on day 1 of every month at 16:00", ""},
		{[]string{"off"}, "off", ""},
		{[]string{"funday", "10:00"}, "", "not a day"},
		{[]string{"monday", "25:00"}, "", "not a time"},
		{[]string{"monthly", "31", "10:00"}, "", "1 to 28"},
		{[]string{"monday"}, "", "schedule checkin"},
	}
	for _, tt := range tests {
		s, err := ParseSlot(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err %v, want %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("%v: %v", tt.in, err)
		case s.Describe() != tt.want:
			t.Errorf("%v = %q, want %q", tt.in, s.Describe(), tt.want)
		}
	}
}
