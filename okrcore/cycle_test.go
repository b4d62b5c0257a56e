package okrcore

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestQuarterOf(t *testing.T) {
	tests := []struct {
		at         time.Time
		name       string
		start, end time.Time
	}{
		{date(2027, 1, 1), "Q1 2027", date(2027, 1, 1), date(2027, 4, 1)},
		{date(2027, 2, 14), "Q1 2027", date(2027, 1, 1), date(2027, 4, 1)},
		{time.Date(2027, 3, 31, 23, 59, 59, 999999999, time.UTC), "Q1 2027", date(2027, 1, 1), date(2027, 4, 1)},
		{date(2027, 4, 1), "Q2 2027", date(2027, 4, 1), date(2027, 7, 1)},
		{date(2027, 6, 30), "Q2 2027", date(2027, 4, 1), date(2027, 7, 1)},
		{date(2027, 7, 1), "Q3 2027", date(2027, 7, 1), date(2027, 10, 1)},
		{date(2027, 9, 30), "Q3 2027", date(2027, 7, 1), date(2027, 10, 1)},
		{date(2027, 10, 1), "Q4 2027", date(2027, 10, 1), date(2028, 1, 1)},
		// Year boundary: the last instant of the year is Q4, the next is Q1.
		{time.Date(2027, 12, 31, 23, 59, 59, 0, time.UTC), "Q4 2027", date(2027, 10, 1), date(2028, 1, 1)},
		{date(2028, 1, 1), "Q1 2028", date(2028, 1, 1), date(2028, 4, 1)},
		// Leap year February.
		{date(2028, 2, 29), "Q1 2028", date(2028, 1, 1), date(2028, 4, 1)},
		// Quarters are UTC: New Year's 00:30 in Paris is still the old year in UTC.
		{time.Date(2028, 1, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "Q4 2027", date(2027, 10, 1), date(2028, 1, 1)},
		{time.Date(2027, 12, 31, 20, 0, 0, 0, time.FixedZone("EST", -5*3600)), "Q1 2028", date(2028, 1, 1), date(2028, 4, 1)},
	}
	for _, tc := range tests {
		c := QuarterOf(tc.at)
		if c.Name != tc.name || !c.Start.Equal(tc.start) || !c.End.Equal(tc.end) || c.Kind != CycleQuarter {
			t.Errorf("QuarterOf(%v) = %s %s–%s (%s), want %s %s–%s", tc.at, c.Name, c.Start, c.End, c.Kind, tc.name, tc.start, tc.end)
		}
		if c.Start.Location() != time.UTC || c.End.Location() != time.UTC {
			t.Errorf("QuarterOf(%v) not in UTC", tc.at)
		}
		if !c.Contains(tc.at) {
			t.Errorf("QuarterOf(%v) = %s does not contain it", tc.at, c.Name)
		}
	}
}

func TestYearOf(t *testing.T) {
	c := YearOf(time.Date(2027, 12, 31, 23, 0, 0, 0, time.UTC))
	if c.Name != "2027" || c.Kind != CycleAnnual || !c.Start.Equal(date(2027, 1, 1)) || !c.End.Equal(date(2028, 1, 1)) {
		t.Errorf("YearOf = %+v", c)
	}
}

func TestParseCycle(t *testing.T) {
	valid := []struct {
		in         string
		name       string
		kind       CycleKind
		start, end time.Time
	}{
		{"Q1 2027", "Q1 2027", CycleQuarter, date(2027, 1, 1), date(2027, 4, 1)},
		{"q1 2027", "Q1 2027", CycleQuarter, date(2027, 1, 1), date(2027, 4, 1)},
		{"  Q2   2027 ", "Q2 2027", CycleQuarter, date(2027, 4, 1), date(2027, 7, 1)},
		{"Q3 2027", "Q3 2027", CycleQuarter, date(2027, 7, 1), date(2027, 10, 1)},
		{"Q4 2027", "Q4 2027", CycleQuarter, date(2027, 10, 1), date(2028, 1, 1)},
		{"2027-Q1", "Q1 2027", CycleQuarter, date(2027, 1, 1), date(2027, 4, 1)},
		{"2027-q4", "Q4 2027", CycleQuarter, date(2027, 10, 1), date(2028, 1, 1)},
		{"2027", "2027", CycleAnnual, date(2027, 1, 1), date(2028, 1, 1)},
		{"2000", "2000", CycleAnnual, date(2000, 1, 1), date(2001, 1, 1)},
		{"2200", "2200", CycleAnnual, date(2200, 1, 1), date(2201, 1, 1)},
		// Custom spans: the last day is inclusive, so End is the day after.
		{"H1 2027 2027-01-01 2027-06-30", "H1 2027", CycleCustom, date(2027, 1, 1), date(2027, 7, 1)},
		{"Sprint 2027-01-04 2027-01-17", "Sprint", CycleCustom, date(2027, 1, 4), date(2027, 1, 18)},
		{"FY 2027 2027-02-01 2028-01-31", "FY 2027", CycleCustom, date(2027, 2, 1), date(2028, 2, 1)},
		{"Two days 2027-12-31 2028-01-01", "Two days", CycleCustom, date(2027, 12, 31), date(2028, 1, 2)},
		{"Leap 2028-02-01 2028-02-29", "Leap", CycleCustom, date(2028, 2, 1), date(2028, 3, 1)},
		{"Long 2027-01-01 2029-12-31", "Long", CycleCustom, date(2027, 1, 1), date(2030, 1, 1)},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			c, err := ParseCycle(tc.in)
			if err != nil {
				t.Fatalf("ParseCycle: %v", err)
			}
			if c.Name != tc.name || c.Kind != tc.kind || !c.Start.Equal(tc.start) || !c.End.Equal(tc.end) {
				t.Errorf("got %q %s %s–%s, want %q %s %s–%s", c.Name, c.Kind, c.Start, c.End, tc.name, tc.kind, tc.start, tc.end)
			}
			if c.ID != 0 || c.Workspace != "" || c.Closed {
				t.Errorf("ParseCycle set stored fields: %+v", c)
			}
		})
	}
	invalid := []struct {
		in       string
		keywords []string
	}{
		{"", []string{"couldn't read", "Q1 2027"}},
		{"Q5 2027", []string{"couldn't read"}},
		{"Q0 2027", []string{"couldn't read"}},
		{"Q1 1999", []string{"couldn't read"}},
		{"Q1 2201", []string{"couldn't read"}},
		{"Q1 27", []string{"couldn't read"}},
		{"Q12 2027", []string{"couldn't read"}},
		{"2027 Q1", []string{"couldn't read"}},
		{"2027-Q5", []string{"couldn't read"}},
		{"-Q1", []string{"couldn't read"}},
		{"1999", []string{"couldn't read"}},
		{"next quarter", []string{"couldn't read"}},
		{"H1 2027-01-01 2027-06-31", []string{"couldn't read"}},
		{"H1 01/01/2027 06/30/2027", []string{"couldn't read"}},
		{"2027-01-01 2027-06-30", []string{"couldn't read"}}, // a span needs a name
		{"Backwards 2027-06-30 2027-01-01", []string{"ends after it starts", "2027-01-01", "2027-06-30"}},
		{"Same day 2027-01-01 2027-01-01", []string{"ends after it starts"}},
		{"Too long 2027-01-01 2031-01-01", []string{"three years"}},
	}
	for _, tc := range invalid {
		t.Run(tc.in, func(t *testing.T) {
			c, err := ParseCycle(tc.in)
			assertInvalid(t, err, tc.keywords...)
			if c != (Cycle{}) {
				t.Errorf("rejected cycle returned %+v", c)
			}
		})
	}
}
