package vivagoals

import (
	"strings"
	"time"
)

// Exports write dates in several ways: ISO dates, ISO date-times with or
// without a zone (and with a space for the T), and the US "MM/DD/YYYY" of
// their spreadsheets, with or without a time.
const (
	isoZone  = "2006-01-02T15:04:05Z07:00"
	isoZone2 = "2006-01-02T15:04:05Z0700"
	isoMin   = "2006-01-02T15:04Z07:00"
	isoLocal = "2006-01-02T15:04:05"
	isoShort = "2006-01-02T15:04"
	isoDate  = "2006-01-02"
)

// parseTime reads a moment. One without a zone is taken as UTC; one with
// a zone is returned in UTC.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) >= 10 && s[4] == '-' && s[7] == '-':
		if len(s) > 10 && s[10] == ' ' {
			s = s[:10] + "T" + s[11:]
		}
		if strings.HasSuffix(s, " UTC") {
			s = strings.TrimSuffix(s, " UTC") + "Z"
		}
		for _, layout := range [...]string{isoZone, isoLocal, isoDate, isoZone2, isoMin, isoShort} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	case strings.Count(s, "/") == 2:
		for _, layout := range [...]string{"1/2/2006", "1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// parseDate reads a calendar day: the date as written, whatever the zone
// of a time after it, at midnight UTC as okrcore keeps cycle dates.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[4] == '-' && s[7] == '-' {
		s = s[:10]
	}
	if i := strings.IndexByte(s, ' '); i > 0 && strings.Count(s, "/") == 2 {
		s = s[:i]
	}
	t, ok := parseTime(s)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
}

// timeOf reads a check-in's moment, taking the common
// "2025-07-07T09:00:00Z" without a string or a layout.
func timeOf(b []byte) (time.Time, bool) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		n := func(i, w int) (int, bool) {
			v := 0
			for _, c := range b[i : i+w] {
				if c < '0' || c > '9' {
					return 0, false
				}
				v = v*10 + int(c-'0')
			}
			return v, true
		}
		y, ok1 := n(0, 4)
		mo, ok2 := n(5, 2)
		d, ok3 := n(8, 2)
		h, ok4 := n(11, 2)
		mi, ok5 := n(14, 2)
		s, ok6 := n(17, 2)
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && h < 24 && mi < 60 && s < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), true
		}
		return time.Time{}, false
	}
	return parseTime(string(b))
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
