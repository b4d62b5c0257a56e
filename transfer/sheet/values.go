package sheet

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/transfer"
	"github.com/xuri/excelize/v2"
)

// number is a cell read as a number: percent says it was written with a
// percent sign (45%), which the number then counts (45).
type number struct {
	v       float64
	percent bool
}

// Thousands are grouped by threes; anything else beside a decimal
// separator is not a number someone wrote.
var (
	groupedComma = regexp.MustCompile(`^\d{1,3}(,\d{3})+(\.\d*)?$`)
	groupedDot   = regexp.MustCompile(`^\d{1,3}(\.\d{3})+(,\d*)?$`)
	plainNumber  = regexp.MustCompile(`^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
)

// parseNumber reads a number as people write it in a spreadsheet: 12,
// 12.5, 1,200.50, 45%, $1,200, € 12, 1 200 and, where the file is not
// comma separated, 12,5 and 1.200,50.
func parseNumber(s string, decimalComma bool) (number, bool) {
	var n number
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '$', '€', '£', '¥', '₹':
			return -1
		}
		return r
	}, s)
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, n.percent = t, true
	}
	neg := false
	if t, ok := strings.CutPrefix(s, "-"); ok {
		s, neg = t, true
	} else if t, ok := strings.CutPrefix(s, "+"); ok {
		s = t
	}
	switch {
	case decimalComma && groupedDot.MatchString(s):
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	case decimalComma && strings.Count(s, ",") == 1 && !strings.Contains(s, "."):
		s = strings.Replace(s, ",", ".", 1)
	case groupedComma.MatchString(s):
		s = strings.ReplaceAll(s, ",", "")
	}
	if !plainNumber.MatchString(s) {
		return number{}, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || okrcore.ValidNumber("", v) != nil {
		return number{}, false
	}
	if neg {
		v = -v
	}
	n.v = v
	return n, true
}

// dateOrder is how a file writes dates of three numbers.
type dateOrder int

const (
	orderUnknown dateOrder = iota
	dayFirst
	monthFirst
)

// numericDate is a date such as 3/4/2026 or 03-04-26.
var numericDate = regexp.MustCompile(`^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$`)

// dateLayouts are the other ways a date is written that are read, each
// meaning one thing.
var dateLayouts = []string{
	"2006-01-02", "2006/01/02", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05",
	"2006-01-02 15:04", "02.01.2006", "2.1.2006", "02.01.06", "2 Jan 2006", "2 January 2006", "Jan 2, 2006",
	"January 2, 2006", "Jan 2 2006", "2-Jan-2006", "2-Jan-06", "Mon, 2 Jan 2006", "Monday, January 2, 2006",
}

// parseDate reads a date cell: a workbook's stored serial number, a date
// in one of the layouts, or three numbers in the file's order.
func parseDate(shown, raw string, t *table, order dateOrder) (time.Time, bool) {
	if raw != "" {
		if v, err := strconv.ParseFloat(raw, 64); err == nil && v >= 1 && v < 2958466 {
			d, err := excelize.ExcelDateToTime(v, t.dates1904)
			if err == nil {
				return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), true
			}
		}
	}
	if m := numericDate.FindStringSubmatch(shown); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		if len(m[3]) == 2 {
			y += 2000
		}
		if order == dayFirst {
			a, b = b, a
		}
		return civil(y, a, b)
	}
	for _, l := range dateLayouts {
		if d, err := time.Parse(l, shown); err == nil {
			if d.Location() != time.UTC {
				d = d.UTC()
			}
			return civil(d.Year(), int(d.Month()), d.Day())
		}
	}
	return time.Time{}, false
}

// civil is the date y-m-d at midnight UTC, if there is one.
func civil(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1900 || y > 9999 || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// guessOrder decides, from every date of the columns, whether 3/4/2026
// is 3 April or March 4: a first number over 12 says day first, a second
// one month first; a file that says neither is read as its separator
// suggests (semicolons are European Excel's), with a note of the guess
// and the first row it matters for.
func guessOrder(t *table, start int, cols ...int) (dateOrder, string) {
	days, months, first := false, false, 0
	for _, r := range t.rows[start:] {
		for _, c := range cols {
			m := numericDate.FindStringSubmatch(r.cell(c))
			if m == nil || (r.rawCell(c) != "" && r.rawCell(c) != r.cell(c)) {
				continue
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			switch {
			case a > 12:
				days = true
			case b > 12:
				months = true
			case a != b && first == 0:
				first = r.n
			}
		}
	}
	switch {
	case days && !months:
		return dayFirst, ""
	case months && !days:
		return monthFirst, ""
	case first == 0:
		return monthFirst, ""
	case t.decimalComma:
		return dayFirst, "dates such as " + sampleDate(t, first, cols) + " could be day/month or month/day; they were read as day/month, as Excel writes them where numbers have decimal commas (first in row " + strconv.Itoa(first) + ")"
	}
	return monthFirst, "dates such as " + sampleDate(t, first, cols) + " could be day/month or month/day; they were read as month/day, as US Excel writes them (first in row " + strconv.Itoa(first) + ")"
}

func sampleDate(t *table, n int, cols []int) string {
	for _, r := range t.rows {
		if r.n != n {
			continue
		}
		for _, c := range cols {
			if numericDate.MatchString(r.cell(c)) {
				return r.cell(c)
			}
		}
	}
	return ""
}

// parseKind reads a Type (template) or Object Type (Explorer) cell.
func parseKind(s string) (transfer.ItemKind, bool) {
	switch fold(s) {
	case "objective", "o", "obj", "bigrock", "goal":
		return transfer.ItemObjective, true
	case "keyresult", "kr", "result":
		return transfer.ItemKeyResult, true
	case "initiative", "i", "project", "task", "action":
		return transfer.ItemInitiative, true
	case "kpi", "healthmetric":
		return transfer.ItemKPI, true
	}
	return "", false
}

// parseMetric reads a Metric cell; "" for an empty one.
func parseMetric(s string) (okrcore.MetricKind, bool) {
	switch fold(s) {
	case "":
		return "", true
	case "percent", "percentage", "pct":
		return okrcore.MetricPercent, true
	case "number", "numeric", "count", "metric", "value":
		return okrcore.MetricNumber, true
	case "currency", "money", "amount":
		return okrcore.MetricCurrency, true
	case "milestone", "binary", "boolean", "yesno", "donenotdone":
		return okrcore.MetricMilestone, true
	}
	if strings.TrimSpace(s) == "%" {
		return okrcore.MetricPercent, true
	}
	return "", false
}

// parseDirection reads a Direction (or Viva Goals' Target Type) cell.
func parseDirection(s string) (okrcore.Direction, bool) {
	switch fold(s) {
	case "":
		return "", true
	case "increase", "increaseto", "up", "higher", "higherisbetter", "atleast", "increasing", "grow":
		return okrcore.Increase, true
	case "decrease", "decreaseto", "down", "lower", "lowerisbetter", "atmost", "decreasing", "reduce":
		return okrcore.Decrease, true
	}
	return "", false
}

// status is a Status cell read: said is false for a status with no
// equivalent in okrbot (Postponed), which is imported as none.
type status struct {
	s     okrcore.Status
	known bool
}

func parseStatus(s string) status {
	if st, ok := okrcore.ParseStatus(s); ok {
		return status{s: st, known: true}
	}
	switch fold(s) {
	case "", "notstarted", "nostatus", "none", "new", "open":
		return status{known: true}
	case "done", "complete", "completed", "closed", "achieved", "finished", "offtrackdone":
		return status{s: okrcore.StatusDone, known: true}
	case "offtrack", "late", "delayed", "behindschedule":
		return status{s: okrcore.StatusOffTrack, known: true}
	}
	return status{}
}

// parseYes reads a Lead cell (yes, true, x, ✓) and says whether it is one
// of the words for yes or no.
func parseYes(s string) (yes, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "x", "1", "lead", "✓", "✔", "ja", "oui", "sí", "si":
		return true, true
	case "", "no", "n", "false", "0", "-", "nein", "non":
		return false, true
	}
	return false, false
}
