package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/okrcore"
)

// chromium finds the distribution's Chromium; the browser tests skip
// without it (.ci/run installs it).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: install it (apt-get install chromium) to run the browser tests")
	return ""
}

// outputDir is where screenshots go: $OKRBOT_TEST_OUTPUT/web when set, to
// keep them, else the test's temporary directory.
func outputDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out := os.Getenv("OKRBOT_TEST_OUTPUT"); out != "" {
		dir = filepath.Join(out, "web")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1200, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first run starts the browser, which lives as long as its
	// context: no timeout on that one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// in runs a browser action with a time limit and fails the test on an error.
func in[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open loads url, waits for its heading, photographs the page into dir
// and returns the text of its main part.
func open(t *testing.T, ctx context.Context, dir, name, url string) string {
	t.Helper()
	in(t, ctx, name, chromedp.Steps(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	png := in(t, ctx, name+" screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	return in(t, ctx, name+" text", chromedp.Text(chromedp.CSS("main")))
}

// TestInChromium opens every page in a real browser from a personal link:
// the pages load, say the stored numbers, draw their charts with alt
// text, and an expired or forged link is refused. Each page is
// photographed into outputDir.
func TestInChromium(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	dir := outputDir(t)
	ws := "local"
	dana := s.user(ws, "dana")
	obj := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Objective, error) { return tx.Objective(ws, 1) })
	krs := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) { return tx.KeyResultsByObjective(ws, obj.ID) })
	team := firstID(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.Team, error) { return tx.Teams(ws) })
	owner := krs[0].Owner.ID
	if krs[0].Owner.Kind != okrcore.OwnerUser {
		owner = dana.ID
	}
	if text := open(t, ctx, dir, "tree", s.link("dana")); !strings.Contains(text, obj.Title) || !strings.Contains(text, okrcore.Percent(obj.Progress)) {
		t.Errorf("tree: %q", text)
	}
	id := func(i okrcore.ID) string { return strconv.FormatUint(uint64(i), 10) }
	pages := []struct {
		name, path string
		want       []string
		chart      string // a selector of a chart that must be there
	}{
		{"team", "/okr/team/" + id(team.ID), []string{team.Name, "checked in this week"}, "figure.chart svg rect.rate"},
		{"person", "/okr/person/" + id(owner), []string{"OKRs this cycle"}, "figure.chart svg polyline.expected"},
		{"objective", "/okr/objective/" + id(obj.ID), []string{obj.Title, krs[0].Title, okrcore.Percent(krs[0].Progress)}, ""},
		{"kr", "/okr/kr/" + id(krs[0].ID), []string{krs[0].Title, "History", okrcore.Percent(krs[0].Progress)}, "figure.chart svg polyline.expected"},
		{"adoption", "/okr/adoption", []string{"Adoption"}, ""},
	}
	for _, p := range pages {
		text := open(t, ctx, dir, p.name, s.srv.URL+p.path)
		for _, w := range p.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", p.name, w)
			}
		}
		if p.chart == "" {
			continue
		}
		in(t, ctx, p.name+" chart", chromedp.WaitReady(chromedp.CSS(p.chart)))
		alt := in(t, ctx, p.name+" alt", chromedp.AttributeValue(chromedp.CSS("figure.chart svg"), "aria-label"))
		caption := in(t, ctx, p.name+" caption", chromedp.Text(chromedp.CSS("figure.chart figcaption")))
		if !alt.Exists || !strings.Contains(alt.Value, "%") || !strings.HasPrefix(caption, alt.Value) {
			t.Errorf("%s: chart alt %+v, caption %q", p.name, alt, caption)
		}
	}
	// A forged and an expired link are refused in a fresh browser.
	forged := strings.Replace(s.link("alice"), "t=", "t=x", 1)
	expired := s.link("alice")
	s.kit.Clock.Advance(LinkTTL + time.Second)
	for name, link := range map[string]string{"forged": forged, "expired": expired} {
		if text := open(t, newBrowser(t), dir, "refused-"+name, link); !strings.Contains(text, "Link expired") || strings.Contains(text, obj.Title) {
			t.Errorf("%s link: %q", name, text)
		}
	}
	t.Logf("screenshots in %s", dir)
}
