//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/okrbot/okrbot/cmd/okrbot/transfercmd"
	"github.com/okrbot/okrbot/transfer/vivagoals/vivagoalstest"
)

// TestTransferScale measures okrbot import and export of the generated
// Viva Goals export of a large organisation through the built binary:
// offline (time and peak memory of the process), and through a running
// okrbot serve while /okr mine is asked 20 times a second (the answers'
// latency before, during the import and during the export). It runs only
// when OKRBOT_TRANSFER_SCALE names the organisation: "full" for 10,000
// people (30,000 objectives, 100,000 key results, 1.3 million check-ins),
// or a number of people for a smaller one.
func TestTransferScale(t *testing.T) {
	knob := os.Getenv("OKRBOT_TRANSFER_SCALE")
	if knob == "" {
		t.Skip("set OKRBOT_TRANSFER_SCALE=full (10,000 people) or a number of people to measure import and export")
	}
	people := 10_000
	if knob != "full" {
		n, err := strconv.Atoi(knob)
		if err != nil || n < 10 {
			t.Fatalf("OKRBOT_TRANSFER_SCALE=%q: use full or a number of people, at least 10", knob)
		}
		people = n
	}
	bin := buildOkrbot(t)
	dir := t.TempDir()
	export := filepath.Join(dir, "viva-goals-export.zip")
	began := time.Now()
	writeScaleExport(t, export, people)
	st, err := os.Stat(export)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated a Viva Goals export of %d people: %s in %s", people, transfercmd.ByteSize(st.Size()), time.Since(began).Round(time.Millisecond))

	db := filepath.Join(dir, "offline.db")
	imp := runMeasured(t, bin, "import", export, "--db", db, "--workspace", "T9", "--platform", "slack")
	dbSize := int64(0)
	if st, err := os.Stat(db); err == nil {
		dbSize = st.Size()
	}
	// The peak RSS counts the pages of the database file mapped in memory
	// too (bbolt reads and writes through a memory map).
	t.Logf("offline import: %s (CPU %s), peak RSS %s with a database of %s (targets: 60 s, 500 MB)\n%s%s", imp.took, imp.cpu, transfercmd.ByteSize(imp.maxRSS), transfercmd.ByteSize(dbSize), imp.stderr, imp.stdout)
	// The same import in this process, with its heap sampled: the peak
	// RSS above counts the mapped database too.
	heapDB := filepath.Join(dir, "heap.db")
	peak := peakHeap(func() {
		if code, _, stderr := okrbotRun(t, nil, "import", export, "--db", heapDB, "--workspace", "T9", "--platform", "slack"); code != 0 {
			t.Errorf("import in the test's process: exit %d: %s", code, stderr)
		}
	})
	t.Logf("the same import in the test's process: peak heap in use %s (sampled every 100 ms)", transfercmd.ByteSize(int64(peak)))
	out := filepath.Join(dir, "okrbot-export.json")
	exp := runMeasured(t, bin, "export", out, "--db", db)
	t.Logf("offline export: %s (CPU %s), peak RSS %s (target: 30 s): %s", exp.took, exp.cpu, transfercmd.ByteSize(exp.maxRSS), strings.TrimSpace(exp.stdout))

	// The same through a running okrbot serve, which answers /okr mine
	// meanwhile.
	served := filepath.Join(dir, "served.db")
	var profiled <-chan struct{}
	krs := seedKill(t, served, time.Now())
	slack := &mineSlack{killSlack: newKillSlack(1), answered: map[string]time.Time{}}
	api := httptest.NewServer(slack)
	defer api.Close()
	conf := fmt.Sprintf("db: %q\n", served)
	// OKRBOT_TRANSFER_PROFILE names a directory for a CPU profile and an
	// execution trace of serve while the import plans (go tool pprof,
	// go tool trace): where the chat's answers wait then.
	profDir, profAddr := os.Getenv("OKRBOT_TRANSFER_PROFILE"), ""
	if profDir != "" {
		profAddr = freeAddr(t)
		conf += fmt.Sprintf("pprof_addr: %q\n", profAddr)
	}
	p := startOkrbotWith(t, bin, conf, sigtermToken, api.URL+"/api/")
	p.waitReady(t)
	load := &mineLoad{krs: krs, api: api.URL, slack: slack, client: &http.Client{Timeout: 10 * time.Second}}
	if profDir != "" {
		load.onPhase = func(name string) {
			if name == "import plan" {
				profiled = profileServe(t, profAddr, profDir, 6*time.Second)
			}
		}
	}
	stop := make(chan struct{})
	sent := load.send(p.base, 20, stop)
	load.phase("idle")
	time.Sleep(5 * time.Second)
	// The import is asked for here rather than by the binary, so that
	// each answer is counted in the phase of the import it came during.
	began = time.Now()
	importThrough(t, controlPath(served), export, load)
	simp := measured{took: time.Since(began).Round(10 * time.Millisecond)}
	load.phase("export")
	sexp := runMeasured(t, bin, "export", filepath.Join(dir, "served-export.json"), "--db", served, "--workspace", "T9")
	load.phase("after")
	time.Sleep(2 * time.Second)
	close(stop)
	<-sent
	if profiled != nil {
		<-profiled
	}
	p.stop(t, 30*time.Second)
	t.Logf("import through serve: %s; export through serve: %s", simp.took, sexp.took)
	for _, ph := range []string{"idle", "import read", "import plan", "import write", "export", "after"} {
		n, lost, p50, p99 := load.latency(slack, ph)
		t.Logf("/okr mine while %s: %d asked, %d unanswered, p50 %s, p99 %s (target p99: 50 ms)", ph, n, lost, p50, p99)
	}
}

// importThrough imports the export through the running okrbot's control
// socket as okrbot import does, and tells load each phase of the import
// as it begins.
func importThrough(t *testing.T, sock, export string, load *mineLoad) {
	t.Helper()
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, err := json.Marshal(transfercmd.Request{Format: transfercmd.FormatVivaGoals, Name: "viva-goals-export.zip", Size: st.Size(),
		Workspace: "T9", Platform: "slack", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "import %s\n", req)
	go func() { _, _ = io.Copy(conn, f) }()
	in := bufio.NewReader(conn)
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			t.Fatalf("the running okrbot stopped answering the import: %v", err)
		}
		tag, text, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch tag {
		case "progress":
			if p, ok := transfercmd.ParseProgress(text); ok {
				load.phase("import " + p.Phase)
			}
		case "done":
			return
		case "fail", "ERR":
			t.Fatalf("the import through serve failed: %s", text)
		}
	}
}

// peakHeap runs work and returns the most heap in use while it ran.
func peakHeap(work func()) uint64 {
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				sampled <- peak
				return
			case <-tick.C:
			}
		}
	}()
	work()
	close(done)
	return <-sampled
}

// writeScaleExport writes the generated export of people people.
func writeScaleExport(t *testing.T, path string, people int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// The benchmark's shape: 3 objectives and 10 key results a person,
	// a project for every 10 key results, and a quarter of weekly
	// check-ins on every key result.
	spec := vivagoalstest.Spec{Seed: 1, People: people, Objectives: 3 * people, KeyResults: 10 * people, Projects: people, CheckInsPerKR: 13}
	err = vivagoalstest.Build(f, spec)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("generate the export: %v", err)
	}
}

// measured is one run of the built binary.
type measured struct {
	took   time.Duration
	cpu    time.Duration // user and system: on a busy machine it says more than took
	maxRSS int64         // bytes
	stdout string
	stderr string // the progress lines, one every 10 s
}

// runMeasured runs the binary to its end and wants exit status 0.
func runMeasured(t *testing.T, bin string, args ...string) measured {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = scaleEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	began := time.Now()
	err := cmd.Run()
	m := measured{took: time.Since(began).Round(10 * time.Millisecond), stdout: out.String(), stderr: errOut.String()}
	if ps := cmd.ProcessState; ps != nil {
		m.cpu = (ps.UserTime() + ps.SystemTime()).Round(10 * time.Millisecond)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss << 10 // Linux counts it in KiB
	}
	if err != nil {
		t.Fatalf("okrbot %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return m
}

// scaleEnv is the test's environment without chat platform settings.
func scaleEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "SLACK_") || strings.HasPrefix(name, "MICROSOFT_") || strings.HasPrefix(name, "OKRBOT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// mineSlack is killSlack, noting when each answer to a slash command
// arrives at its response_url.
type mineSlack struct {
	*killSlack
	mu       sync.Mutex
	answered map[string]time.Time // response_url path → first answer
}

func (f *mineSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/respond/") {
		f.mu.Lock()
		if _, ok := f.answered[r.URL.Path]; !ok {
			f.answered[r.URL.Path] = time.Now()
		}
		f.mu.Unlock()
	}
	f.killSlack.ServeHTTP(w, r)
}

func (f *mineSlack) answer(path string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	at, ok := f.answered[path]
	return at, ok
}

// mineLoad asks /okr mine as the seeded people in turn.
type mineLoad struct {
	krs    []killKR
	api    string
	slack  *mineSlack
	client *http.Client

	// onPhase, when set, is told each phase as it begins.
	onPhase func(string)

	mu    sync.Mutex
	now   string // the phase requests are sent in
	seq   int
	asked []mineAsk
}

type mineAsk struct {
	phase string
	path  string
	at    time.Time
}

func (l *mineLoad) phase(name string) {
	l.mu.Lock()
	was := l.now
	l.now = name
	l.mu.Unlock()
	if l.onPhase != nil && was != name {
		l.onPhase(name)
	}
}

// send asks rate times a second until stop is closed.
func (l *mineLoad) send(base string, rate int, stop <-chan struct{}) <-chan struct{} {
	return openLoop(rate, stop, func() func() { return func() { l.ask(base) } })
}

func (l *mineLoad) ask(base string) {
	l.mu.Lock()
	l.seq++
	seq, phase := l.seq, l.now
	k := l.krs[seq%len(l.krs)]
	path := fmt.Sprintf("/respond/m%d", seq)
	l.mu.Unlock()
	dm := "D" + strings.TrimPrefix(k.user, "U")
	ts := fmt.Sprint(time.Now().Unix())
	body := []byte(url.Values{"command": {"/okr"}, "text": {"mine"}, "team_id": {sigtermWorkspace}, "user_id": {k.user},
		"user_name": {strings.ToLower(k.user)}, "channel_id": {dm}, "trigger_id": {fmt.Sprintf("%d.1.mine", seq)},
		"response_url": {l.api + path}}.Encode())
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign("s3cret", ts, body))
	at := time.Now()
	l.mu.Lock()
	l.asked = append(l.asked, mineAsk{phase: phase, path: path, at: at})
	l.mu.Unlock()
	if res, err := l.client.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
}

// latency is how long the answers of one phase took to arrive, from the
// request to the answer at its response_url.
func (l *mineLoad) latency(slack *mineSlack, phase string) (n, lost int, p50, p99 time.Duration) {
	l.mu.Lock()
	asked := slices.Clone(l.asked)
	l.mu.Unlock()
	var took []time.Duration
	for _, a := range asked {
		if a.phase != phase {
			continue
		}
		n++
		at, ok := slack.answer(a.path)
		if !ok {
			lost++
			continue
		}
		took = append(took, at.Sub(a.at))
	}
	if len(took) == 0 {
		return n, lost, 0, 0
	}
	slices.Sort(took)
	q := func(f float64) time.Duration {
		return took[min(len(took)-1, int(f*float64(len(took))))].Round(100 * time.Microsecond)
	}
	return n, lost, q(0.5), q(0.99)
}

// profileServe fetches a CPU profile and an execution trace of the next d
// from the profiler of serve at addr into dir, both at once; the channel
// is closed when they are written.
func profileServe(t *testing.T, addr, dir string, d time.Duration) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	secs := max(1, int(d/time.Second))
	var wg sync.WaitGroup
	for _, what := range []string{"profile", "trace"} {
		wg.Go(func() {
			res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", addr, what, secs))
			if err != nil {
				t.Errorf("ask serve for a %s: %v", what, err)
				return
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			if err == nil && res.StatusCode != http.StatusOK {
				err = fmt.Errorf("%s", res.Status)
			}
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, what+".out"), b, 0o644)
			}
			if err != nil {
				t.Errorf("the %s of serve: %v", what, err)
				return
			}
			t.Logf("the %s of serve while the import plans: %s", what, filepath.Join(dir, what+".out"))
		})
	}
	go func() { wg.Wait(); close(done) }()
	return done
}
