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
	"github.com/okrbot/okrbot/chat"
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
		{"person", "/okr/person/" + id(owner), []string{"OKRs in Q4 2026"}, "figure.chart svg polyline.expected"},
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

// TestInChromiumDigestPieces follows what a digest points at, in a real
// browser: its link to the team's page shows the team's check-in rate of
// this week as the history counts it (an undone check-in counted for
// nobody) and the digest's burn-up drawn as SVG with the same alt text,
// and its chart, at the signed address a Teams card shows it by,
// loads as an 800x400 picture in a browser with no session, while an
// altered address shows none.
func TestInChromiumDigestPieces(t *testing.T) {
	s := newSite(t)
	ctx := newBrowser(t)
	dir := outputDir(t)
	ws := s.kit.Workspace
	sales := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) (*okrcore.Team, error) { return tx.TeamByName(ws, "Sales") })
	// alice checks in and takes it back: it counts for nobody.
	kr := firstID(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.KeyResult, error) {
		c, err := okrcore.CurrentCycle(tx, ws)
		if err != nil {
			return nil, err
		}
		return tx.KeyResultsByOwner(ws, okrcore.UserOwner(s.user(ws, "alice").ID), c.ID)
	})
	s.kit.Clock.Advance(time.Minute)
	s.kit.Ask("alice", kr.Ref().String()+" "+strconv.FormatFloat(kr.Target, 'f', -1, 64))
	s.kit.Clock.Advance(time.Minute)
	s.kit.Ask("alice", "undo")
	now := s.kit.Clock.Now().UTC()
	monday := now.Truncate(24*time.Hour).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	people := sales.People()
	checked := 0
	for _, p := range people {
		cis := bottest.Read(t, s.kit.DB, func(tx okrcore.Tx) ([]*okrcore.CheckIn, error) { return tx.CheckInsByAuthor(ws, p, monday, 0) })
		if len(okrcore.Effective(cis)) > 0 {
			checked++
		}
	}
	want := strconv.Itoa(checked) + " of " + strconv.Itoa(len(people)) + ")"

	open(t, ctx, dir, "digest-login", s.link("dana"))
	text := open(t, ctx, dir, "digest-team-link", s.links.TeamLink(sales.ID))
	if !strings.Contains(text, "Team Sales") || !strings.Contains(text, "checked in this week ("+want) {
		t.Errorf("the digest's team page says %q, want %q checked in this week", text, want)
	}

	digest := s.kit.Ask("dana", "digest Sales")
	var png []byte
	var alt string
	for _, b := range digest.Blocks {
		if img, ok := b.(chat.Image); ok {
			png, alt = img.Bytes(), chat.PlainText(img.Alt) // as a page shows it
		}
	}
	if len(png) == 0 {
		t.Fatal("the Sales digest has no chart")
	}
	// The team page draws the digest's burn-up as SVG from the same data:
	// the same words, a line per objective.
	in(t, ctx, "the team page's burn-up", chromedp.WaitReady(chromedp.CSS("figure.burnup svg polyline.objective")))
	label := in(t, ctx, "its alt text", chromedp.AttributeValue(chromedp.CSS("figure.burnup svg"), "aria-label"))
	caption := in(t, ctx, "its caption", chromedp.Text(chromedp.CSS("figure.burnup figcaption")))
	lines := in(t, ctx, "its lines", chromedp.Evaluate[int](`document.querySelectorAll("figure.burnup svg polyline.objective").length`))
	if !label.Exists || label.Value != alt || !strings.HasPrefix(caption, alt) || !strings.Contains(alt, "Sales: ") {
		t.Errorf("the team page's burn-up says %+v (caption %q), the digest's chart %q", label, caption, alt)
	}
	if want := strings.Count(alt, "; "); lines != want {
		t.Errorf("the team page's burn-up draws %d objectives, its words name %d", lines, want)
	}
	addr, err := s.links.Images(ws).ImageURL(context.Background(), png)
	if err != nil {
		t.Fatal(err)
	}
	fresh := newBrowser(t)
	in(t, fresh, "the chart by address", chromedp.Steps(chromedp.Navigate(addr), chromedp.WaitReady(chromedp.CSS("img"))))
	w := in(t, fresh, "its size", chromedp.Evaluate[int](`document.images[0].naturalWidth`))
	h := in(t, fresh, "its height", chromedp.Evaluate[int](`document.images[0].naturalHeight`))
	if w != 800 || h != 400 {
		t.Errorf("the chart at its address is %dx%d, want 800x400", w, h)
	}
	shot := in(t, fresh, "chart screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, "digest-chart.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	in(t, fresh, "an altered address", chromedp.Navigate(strings.Replace(addr, "/img/", "/img/A", 1)))
	broken := in(t, fresh, "what it shows", chromedp.Evaluate[int](`document.images.length ? document.images[0].naturalWidth : 0`))
	if broken != 0 {
		t.Errorf("an altered address showed a picture %d wide", broken)
	}
}
