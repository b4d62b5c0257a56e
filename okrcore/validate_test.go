package okrcore

import (
	"strings"
	"testing"
	"unicode"
)

// assertInvalid checks that err is a KindInvalid error whose message is a
// sentence for a person (capitalised, ending in a full stop, no Go syntax)
// containing every key word.
func assertInvalid(t *testing.T, err error, keywords ...string) {
	t.Helper()
	assertSentence(t, err, KindInvalid, keywords...)
}

func assertSentence(t *testing.T, err error, kind ErrorKind, keywords ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	if k := ErrorKindOf(err); k != kind {
		t.Fatalf("error kind = %q, want %q (%v)", k, kind, err)
	}
	msg := ErrorMessage(err)
	if msg == "" {
		t.Fatalf("error %v has no message for people", err)
	}
	// A sentence may open with the quoted value it is about.
	if r := []rune(msg)[0]; !unicode.IsUpper(r) && r != '"' && r != '`' {
		t.Errorf("message %q does not start with a capital letter", msg)
	}
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?") {
		t.Errorf("message %q does not end like a sentence", msg)
	}
	for _, bad := range []string{"%!", "<nil>", "okrcore.", "map[", "  "} {
		if strings.Contains(msg, bad) {
			t.Errorf("message %q contains %q", msg, bad)
		}
	}
	low := strings.ToLower(msg)
	for _, w := range keywords {
		if !strings.Contains(low, strings.ToLower(w)) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

func TestNormalizeKeyResultDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   KeyResult
		want KeyResult
	}{
		{
			"increase inferred, weight 1, metric number",
			KeyResult{Title: "Grow sign-ups", Start: 100, Target: 500},
			KeyResult{Title: "Grow sign-ups", Metric: MetricNumber, Start: 100, Target: 500, Direction: Increase, Weight: 1},
		},
		{
			"decrease inferred",
			KeyResult{Title: "Cut churn", Metric: MetricPercent, Start: 8, Target: 3, Current: 8},
			KeyResult{Title: "Cut churn", Metric: MetricPercent, Start: 8, Target: 3, Current: 8, Direction: Decrease, Weight: 1},
		},
		{
			"negative values decrease",
			KeyResult{Title: "Lower margin loss", Start: -5, Target: -20, Weight: 2},
			KeyResult{Title: "Lower margin loss", Metric: MetricNumber, Start: -5, Target: -20, Direction: Decrease, Weight: 2},
		},
		{
			"explicit matching direction kept",
			KeyResult{Title: "Revenue", Metric: MetricCurrency, Unit: "€", Start: 0, Target: 1e6, Direction: Increase, Weight: 0.5},
			KeyResult{Title: "Revenue", Metric: MetricCurrency, Unit: "€", Start: 0, Target: 1e6, Direction: Increase, Weight: 0.5},
		},
		{
			"milestone becomes 0→1 increasing",
			KeyResult{Title: "Launch", Metric: MetricMilestone},
			KeyResult{Title: "Launch", Metric: MetricMilestone, Start: 0, Target: 1, Direction: Increase, Weight: 1},
		},
		{
			"milestone overrides start, target and direction",
			KeyResult{Title: "Launch", Metric: MetricMilestone, Start: 5, Target: 5, Direction: Decrease, Current: 1},
			KeyResult{Title: "Launch", Metric: MetricMilestone, Start: 0, Target: 1, Direction: Increase, Current: 1, Weight: 1},
		},
		{
			"title of exactly MaxTitle multi-byte runes",
			KeyResult{Title: strings.Repeat("é", MaxTitle), Start: 0, Target: 1},
			KeyResult{Title: strings.Repeat("é", MaxTitle), Metric: MetricNumber, Start: 0, Target: 1, Direction: Increase, Weight: 1},
		},
		{
			"unit of 16 multi-byte characters",
			KeyResult{Title: "Users", Unit: "пользователейабв", Start: 0, Target: 10},
			KeyResult{Title: "Users", Unit: "пользователейабв", Metric: MetricNumber, Start: 0, Target: 10, Direction: Increase, Weight: 1},
		},
		{
			"weight 100 allowed",
			KeyResult{Title: "Big", Start: 0, Target: 1, Weight: 100},
			KeyResult{Title: "Big", Metric: MetricNumber, Start: 0, Target: 1, Direction: Increase, Weight: 100},
		},
		{
			"magnitudes up to 1e15 allowed",
			KeyResult{Title: "Big", Start: -1e15, Target: 1e15},
			KeyResult{Title: "Big", Metric: MetricNumber, Start: -1e15, Target: 1e15, Direction: Increase, Weight: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.in
			if err := NormalizeKeyResult(&k); err != nil {
				t.Fatalf("NormalizeKeyResult: %v", err)
			}
			if k.Metric != tc.want.Metric || k.Start != tc.want.Start || k.Target != tc.want.Target ||
				k.Current != tc.want.Current || k.Direction != tc.want.Direction || k.Weight != tc.want.Weight ||
				k.Title != tc.want.Title || k.Unit != tc.want.Unit {
				t.Errorf("got %+v\nwant %+v", k, tc.want)
			}
		})
	}
}

func TestNormalizeKeyResultRejects(t *testing.T) {
	ok := func(f func(k *KeyResult)) KeyResult {
		k := KeyResult{Title: "Grow sign-ups", Metric: MetricNumber, Start: 0, Target: 100}
		f(&k)
		return k
	}
	tests := []struct {
		name     string
		k        KeyResult
		keywords []string
	}{
		{"empty title", ok(func(k *KeyResult) { k.Title = "" }), []string{"key result", "title"}},
		{"blank title", ok(func(k *KeyResult) { k.Title = " \t\n " }), []string{"key result", "title"}},
		{"title too long", ok(func(k *KeyResult) { k.Title = strings.Repeat("a", MaxTitle+1) }), []string{"too long", "201", "200"}},
		{"multi-byte title too long", ok(func(k *KeyResult) { k.Title = strings.Repeat("日本", MaxTitle/2) + "語" }), []string{"too long", "201 characters"}},
		{"emoji title too long", ok(func(k *KeyResult) { k.Title = strings.Repeat("🚀", MaxTitle+1) }), []string{"too long", "201 characters"}},
		{"unknown metric", ok(func(k *KeyResult) { k.Metric = "furlongs" }), []string{"furlongs", "not a metric", "percent", "milestone"}},
		{"milestone half done", ok(func(k *KeyResult) { k.Metric, k.Current = MetricMilestone, 0.5 }), []string{"milestone", "done"}},
		{"NaN start", ok(func(k *KeyResult) { k.Start = nan }), []string{"start", "number"}},
		{"NaN target", ok(func(k *KeyResult) { k.Target = nan }), []string{"target", "number"}},
		{"+Inf target", ok(func(k *KeyResult) { k.Target = inf }), []string{"target", "number"}},
		{"-Inf start", ok(func(k *KeyResult) { k.Start = ninf }), []string{"start", "number"}},
		{"NaN current", ok(func(k *KeyResult) { k.Current = nan }), []string{"current value", "number"}},
		{"NaN weight", ok(func(k *KeyResult) { k.Weight = nan }), []string{"weight", "number"}},
		{"absurd magnitude", ok(func(k *KeyResult) { k.Target = 1e16 }), []string{"target", "number"}},
		{"target equals start", ok(func(k *KeyResult) { k.Start, k.Target = 40, 40 }), []string{"target", "40", "start"}},
		{"target equals start, both zero", ok(func(k *KeyResult) { k.Start, k.Target = 0, 0 }), []string{"target", "start"}},
		{"target equals start, percent", ok(func(k *KeyResult) { k.Metric, k.Start, k.Target = MetricPercent, 50, 50 }), []string{"50%", "start"}},
		{"increase with lower target", ok(func(k *KeyResult) { k.Direction, k.Start, k.Target = Increase, 100, 50 }), []string{"increase", "higher", "100", "50"}},
		{"decrease with higher target", ok(func(k *KeyResult) { k.Direction, k.Start, k.Target = Decrease, 3, 8 }), []string{"decrease", "lower", "3", "8"}},
		{"unknown direction", ok(func(k *KeyResult) { k.Direction = "sideways" }), []string{"sideways", "increase", "decrease"}},
		{"negative weight", ok(func(k *KeyResult) { k.Weight = -1 }), []string{"weights", "0", "100"}},
		{"weight above 100", ok(func(k *KeyResult) { k.Weight = 101 }), []string{"weights", "100"}},
		{"negative percentage start", ok(func(k *KeyResult) { k.Metric, k.Start, k.Target = MetricPercent, -5, 10 }), []string{"percentages", "0"}},
		{"negative percentage target", ok(func(k *KeyResult) { k.Metric, k.Start, k.Target = MetricPercent, 5, -10 }), []string{"percentages", "0"}},
		{"long unit", ok(func(k *KeyResult) { k.Unit = strings.Repeat("u", 17) }), []string{"unit", "16"}},
		{"long multi-byte unit", ok(func(k *KeyResult) { k.Unit = strings.Repeat("ü", 17) }), []string{"unit", "16"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := tc.k
			assertInvalid(t, NormalizeKeyResult(&k), tc.keywords...)
		})
	}
}

func TestValidateObjective(t *testing.T) {
	good := func(f func(o *Objective)) Objective {
		o := Objective{Title: "Delight our customers", Owner: UserOwner(1), Cycle: 1}
		f(&o)
		return o
	}
	valid := []struct {
		name string
		o    Objective
	}{
		{"plain", good(func(*Objective) {})},
		{"team owner", good(func(o *Objective) { o.Owner = TeamOwner(3) })},
		{"aligned to a key result", good(func(o *Objective) { o.ParentKR = 4 })},
		{"aligned to an objective", good(func(o *Objective) { o.ParentObjective = 4 })},
		{"weight 0", good(func(o *Objective) { o.Weight = 0 })},
		{"weight 100", good(func(o *Objective) { o.Weight = 100 })},
		{"title of MaxTitle multi-byte runes", good(func(o *Objective) { o.Title = strings.Repeat("ж", MaxTitle) })},
		{"title with surrounding space", good(func(o *Objective) { o.Title = "  " + strings.Repeat("x", MaxTitle) + "  " })},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateObjective(&tc.o); err != nil {
				t.Errorf("ValidateObjective: %v", err)
			}
		})
	}
	invalid := []struct {
		name     string
		o        Objective
		keywords []string
	}{
		{"no title", good(func(o *Objective) { o.Title = "  " }), []string{"objective", "title"}},
		{"long title", good(func(o *Objective) { o.Title = strings.Repeat("x", 250) }), []string{"objective", "too long", "250", "200"}},
		{"long multi-byte title", good(func(o *Objective) { o.Title = strings.Repeat("ж", MaxTitle+1) }), []string{"too long", "201 characters"}},
		{"no owner", good(func(o *Objective) { o.Owner = Owner{} }), []string{"owner", "person", "team"}},
		{"owner without kind", good(func(o *Objective) { o.Owner = Owner{ID: 3} }), []string{"owner", "person", "team"}},
		{"owner of odd kind", good(func(o *Objective) { o.Owner = Owner{Kind: "robot", ID: 3} }), []string{"owner"}},
		{"owner kind without id", good(func(o *Objective) { o.Owner = UserOwner(0) }), []string{"owner"}},
		{"no cycle", good(func(o *Objective) { o.Cycle = 0 }), []string{"cycle"}},
		{"two parents", good(func(o *Objective) { o.ParentKR, o.ParentObjective = 1, 2 }), []string{"one key result", "one objective"}},
		{"negative weight", good(func(o *Objective) { o.Weight = -0.1 }), []string{"weights", "100"}},
		{"weight above 100", good(func(o *Objective) { o.Weight = 100.5 }), []string{"weights", "100"}},
		{"NaN weight", good(func(o *Objective) { o.Weight = nan }), []string{"weights"}},
		{"infinite weight", good(func(o *Objective) { o.Weight = inf }), []string{"weights"}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			assertInvalid(t, ValidateObjective(&tc.o), tc.keywords...)
		})
	}
}

func TestValidateKPI(t *testing.T) {
	good := func(f func(k *KPI)) KPI {
		k := KPI{Title: "Uptime", Owner: TeamOwner(2), Unit: "%", Current: 99.95, HealthyMin: 99.9, HealthyMax: 100}
		f(&k)
		return k
	}
	for name, k := range map[string]KPI{
		"plain":             good(func(*KPI) {}),
		"user owner":        good(func(k *KPI) { k.Owner = UserOwner(1) }),
		"single-value band": good(func(k *KPI) { k.HealthyMin, k.HealthyMax = 5, 5 }),
		"negative band":     good(func(k *KPI) { k.HealthyMin, k.HealthyMax, k.Current = -10, -2, -50 }),
		"unhealthy current": good(func(k *KPI) { k.Current = 12 }),
		"multi-byte title":  good(func(k *KPI) { k.Title = strings.Repeat("稼", MaxTitle) }),
	} {
		t.Run(name, func(t *testing.T) {
			if err := ValidateKPI(&k); err != nil {
				t.Errorf("ValidateKPI: %v", err)
			}
		})
	}
	invalid := []struct {
		name     string
		k        KPI
		keywords []string
	}{
		{"no title", good(func(k *KPI) { k.Title = "" }), []string{"KPI", "title"}},
		{"long title", good(func(k *KPI) { k.Title = strings.Repeat("稼", MaxTitle+1) }), []string{"KPI", "too long", "201 characters"}},
		{"NaN min", good(func(k *KPI) { k.HealthyMin = nan }), []string{"KPI value", "number"}},
		{"Inf max", good(func(k *KPI) { k.HealthyMax = inf }), []string{"KPI value", "number"}},
		{"NaN current", good(func(k *KPI) { k.Current = nan }), []string{"KPI value", "number"}},
		{"backwards range", good(func(k *KPI) { k.HealthyMin, k.HealthyMax = 10, 2.5 }), []string{"healthy range", "10", "2.5", "backwards"}},
		{"no owner", good(func(k *KPI) { k.Owner = Owner{} }), []string{"KPI", "owner"}},
		{"owner without kind", good(func(k *KPI) { k.Owner = Owner{ID: 4} }), []string{"KPI", "owner"}},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			assertInvalid(t, ValidateKPI(&tc.k), tc.keywords...)
		})
	}
}

func TestValidNumber(t *testing.T) {
	for _, v := range []float64{0, -1, 1e15, -1e15, 0.000001} {
		if err := ValidNumber("The value", v); err != nil {
			t.Errorf("ValidNumber(%v): %v", v, err)
		}
	}
	for _, v := range []float64{nan, inf, ninf, 1.0000001e15, -2e15} {
		assertInvalid(t, ValidNumber("The new value", v), "new value", "number")
	}
}

func TestCountWarnings(t *testing.T) {
	custom := Rules{MinObjectives: 1, MaxObjectives: 2, MinKeyResults: 1, MaxKeyResults: 3}
	objTests := []struct {
		n        int
		rules    Rules
		keywords []string // nil: no warning
	}{
		{0, Rules{}, nil},
		{1, Rules{}, nil}, // fewer objectives than the minimum is not worth a warning
		{3, Rules{}, nil},
		{5, Rules{}, nil},
		{6, Rules{}, []string{"6 objectives", "3–5"}},
		{20, Rules{}, []string{"20 objectives", "3–5"}},
		{2, custom, nil},
		{3, custom, []string{"3 objectives", "1–2"}},
	}
	for _, tc := range objTests {
		w := ObjectiveCountWarning(tc.n, tc.rules)
		checkWarning(t, "ObjectiveCountWarning", tc.n, w, tc.keywords)
	}
	krTests := []struct {
		n        int
		rules    Rules
		keywords []string
	}{
		// Fewer is not said while someone writes them (okrcore/minimums).
		{0, Rules{}, nil},
		{1, Rules{}, nil},
		{2, Rules{}, nil},
		{5, Rules{}, nil},
		{6, Rules{}, []string{"6 key results", "2–5"}},
		{0, custom, nil},
		{1, custom, nil},
		{3, custom, nil},
		{4, custom, []string{"4 key results", "1–3"}},
	}
	for _, tc := range krTests {
		w := KeyResultCountWarning(tc.n, tc.rules)
		checkWarning(t, "KeyResultCountWarning", tc.n, w, tc.keywords)
	}
}

func checkWarning(t *testing.T, fn string, n int, w string, keywords []string) {
	t.Helper()
	if keywords == nil {
		if w != "" {
			t.Errorf("%s(%d) = %q, want none", fn, n, w)
		}
		return
	}
	if w == "" {
		t.Errorf("%s(%d): no warning", fn, n)
		return
	}
	if !unicode.IsUpper([]rune(w)[0]) || !strings.HasSuffix(w, ".") {
		t.Errorf("%s(%d) = %q, not a sentence", fn, n, w)
	}
	for _, k := range keywords {
		if !strings.Contains(w, k) {
			t.Errorf("%s(%d) = %q, does not mention %q", fn, n, w, k)
		}
	}
}
