package vivagoals

import (
	"testing"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

func TestParseTime(t *testing.T) {
	utc := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, time.UTC) }
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2025-07-07", utc(2025, 7, 7, 0, 0, 0), true},
		{"2025-07-07T09:30:00Z", utc(2025, 7, 7, 9, 30, 0), true},
		{"2025-07-07T09:30:00.123Z", time.Date(2025, 7, 7, 9, 30, 0, 123e6, time.UTC), true},
		{"2025-07-07T09:30:00+02:00", utc(2025, 7, 7, 7, 30, 0), true},
		{"2025-07-07T09:30:00-0500", utc(2025, 7, 7, 14, 30, 0), true},
		{"2025-07-07T09:30:00", utc(2025, 7, 7, 9, 30, 0), true},
		{"2025-07-07T09:30", utc(2025, 7, 7, 9, 30, 0), true},
		{"2025-07-07 09:30:00", utc(2025, 7, 7, 9, 30, 0), true},
		{"2025-07-07 09:30:00 UTC", utc(2025, 7, 7, 9, 30, 0), true},
		{" 2025-07-07 ", utc(2025, 7, 7, 0, 0, 0), true},
		{"07/09/2025", utc(2025, 7, 9, 0, 0, 0), true},
		{"7/9/2025", utc(2025, 7, 9, 0, 0, 0), true},
		{"07/09/2025 14:05", utc(2025, 7, 9, 14, 5, 0), true},
		{"7/9/2025 2:05:00 PM", utc(2025, 7, 9, 14, 5, 0), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2025-13-01", time.Time{}, false},
		{"2025-02-30T00:00:00Z", time.Time{}, false},
		{"31/12/2025", time.Time{}, false},
	} {
		got, ok := parseTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		// The fast path for check-ins agrees with the general one.
		fast, fok := timeOf([]byte(tc.in))
		if fok != ok || !fast.Equal(got) {
			t.Errorf("timeOf(%q) = %v, %v; parseTime says %v, %v", tc.in, fast, fok, got, ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"2025-09-30", "2025-09-30", true},
		// The date as written, whatever the zone after it.
		{"2025-09-30T23:59:59-07:00", "2025-09-30", true},
		{"2025-09-30T00:30:00+09:00", "2025-09-30", true},
		{"09/30/2025", "2025-09-30", true},
		{"09/30/2025 11:00 PM", "2025-09-30", true},
		{"Sept 30", "", false},
	} {
		got, ok := parseDate(tc.in)
		if ok != tc.ok || ok && got.Format(time.DateOnly) != tc.want || ok && got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("parseDate(%q) = %v, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestHTMLText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>Churn is <b>3.9%</b> &amp; falling.</p><p>Next: calls.</p>", "Churn is 3.9% & falling.\n\nNext: calls."},
		{"one<br>two<br/>three<BR />four", "one\ntwo\nthree\nfour"},
		{"<ul><li>first</li><li>second</li></ul>", "• first\n• second"},
		{"<div>Überprüfung — 完成 ✅</div><div>Nächster&nbsp;Schritt</div>", "Überprüfung — 完成 ✅\nNächster Schritt"},
		{"a  \n\t b", "a b"},
		{"5 < 7 and 7 > 5", "5 < 7 and 7 > 5"},
		{"&lt;b&gt; is a tag; &#233;t&eacute; &#x263A;", "<b> is a tag; été ☺"},
		{"<style>p { color: red }</style><script>alert(1)</script>kept", "kept"},
		{"<!-- hidden -->shown<!-- cut", "shown"},
		{`<a href="https://example.com">the plan</a>`, "the plan"},
		{"<p></p><p></p><p>only</p>", "only"},
		{"<h1>Title</h1><p>Body</p>", "Title\n\nBody"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a\tb\nc"},
		{"unclosed <b", "unclosed <b"},
		{"", ""},
	} {
		if got := htmlText(tc.in); got != tc.want {
			t.Errorf("htmlText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadStatus(t *testing.T) {
	for _, tc := range []struct {
		in                  string
		status              okrcore.Status
		known, closed, done bool
	}{
		{"Not Started", okrcore.StatusNone, true, false, false},
		{"", okrcore.StatusNone, true, false, false},
		{"On Track", okrcore.StatusOnTrack, true, false, false},
		{"on-track", okrcore.StatusOnTrack, true, false, false},
		{"At Risk", okrcore.StatusAtRisk, true, false, false},
		{"Behind", okrcore.StatusOffTrack, true, false, false},
		{"Off Track", okrcore.StatusOffTrack, true, false, false},
		{"Completed", okrcore.StatusDone, true, false, true},
		{"Closed", okrcore.StatusNone, true, true, false},
		{"Postponed", okrcore.StatusNone, false, false, false},
		{"Discarded", okrcore.StatusNone, false, false, false},
		{"Paused", okrcore.StatusNone, false, false, false},
	} {
		for _, m := range []statusMeaning{readStatus(tc.in), statusOf([]byte(tc.in))} {
			if m.status != tc.status || m.known != tc.known || m.closed != tc.closed || m.done != tc.done {
				t.Errorf("status %q read as %+v, want %s known %v closed %v done %v", tc.in, m, tc.status, tc.known, tc.closed, tc.done)
			}
		}
	}
}

func TestReadAimAndCurrency(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want aim
		ok   bool
	}{
		{"Increase to", aim{dir: okrcore.Increase}, true},
		{"Decrease to", aim{dir: okrcore.Decrease}, true},
		{"Stay above", aim{dir: okrcore.Increase, stay: "above"}, true},
		{"stay_below", aim{dir: okrcore.Decrease, stay: "below"}, true},
		{"Achieve", aim{achieve: true}, true},
		{"", aim{}, true},
		{"Stay between", aim{}, false},
	} {
		if got, ok := readAim(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("readAim(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		unit, symbol string
		ok           bool
	}{{"$", "$", true}, {"USD", "$", true}, {"eur", "€", true}, {"£", "£", true}, {"CHF", "CHF ", true}, {"customers", "", false}, {"%", "", false}} {
		if got, ok := currency(tc.unit); got != tc.symbol || ok != tc.ok {
			t.Errorf("currency(%q) = %q, %v; want %q, %v", tc.unit, got, ok, tc.symbol, tc.ok)
		}
	}
}
