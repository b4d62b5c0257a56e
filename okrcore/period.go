package okrcore

import (
	"fmt"
	"time"
)

// PeriodKeyStart is the first instant in loc of the period PeriodKey named:
// the Monday of an ISO week ("2026-W47") or the first of a month
// ("2026-11"). ok is false for a key it cannot read.
func PeriodKeyStart(key string, loc *time.Location) (time.Time, bool) {
	var y, n int
	if _, err := fmt.Sscanf(key, "%d-W%d", &y, &n); err == nil && n >= 1 && n <= 53 {
		// January 4th is always in ISO week 1.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, loc)
		monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
		return monday.AddDate(0, 0, 7*(n-1)), true
	}
	if t, err := time.ParseInLocation("2006-01", key, loc); err == nil {
		return t, true
	}
	return time.Time{}, false
}
