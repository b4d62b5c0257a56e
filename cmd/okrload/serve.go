package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a running `okrbot serve`.
type process struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	pprof  string // the profiler's http://127.0.0.1:PORT, when asked for
	out    *lockedBuffer
	exited chan struct{}
	err    error // Wait's, once exited is closed
}

// lockedBuffer keeps what the process wrote, for the error that says why
// it ended.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil // enough to say why it ended
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	return s[max(0, len(s)-2000):]
}

// okrbotBinary is --okrbot, or okrbot built from this module into dir.
func okrbotBinary(ctx context.Context, c *config, log *progress) (string, error) {
	if c.okrbot != "" {
		return c.okrbot, nil
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("no go command to build okrbot with; give the binary with --okrbot PATH")
	}
	bin := filepath.Join(c.tempDir, "okrbot")
	log.phase("building okrbot", nil)
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "github.com/okrbot/okrbot/cmd/okrbot").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build okrbot (run okrload inside the okrbot module, or give --okrbot PATH): %w\n%s", err, out)
	}
	return bin, nil
}

// startServe starts `okrbot serve` in Slack's HTTP mode on a free
// loopback port with the store at db (a file's path or a postgres:// URL)
// and Slack's API at apiURL, its
// secrets in files beside its configuration, as a container has them, and
// waits until /readyz says it is ready. With profiled its profiler
// listens on another loopback port.
func startServe(ctx context.Context, bin, dir, db, apiURL, secret string, profiled bool) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	prof := ""
	if profiled {
		if prof, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	for name, v := range map[string]string{"bot_token": slackBotToken + "\n", "signing_secret": secret + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			return nil, fmt.Errorf("write okrbot's secrets: %w", err)
		}
	}
	where := fmt.Sprintf("db: %q\n", db)
	if strings.HasPrefix(db, "postgres") {
		where = fmt.Sprintf("database:\n  url: %q\n", db)
	}
	conf := where + fmt.Sprintf("addr: %q\nlog_level: warn\nslack:\n  bot_token_file: bot_token\n  signing_secret_file: signing_secret\n  api_url: %q\n",
		addr, apiURL)
	if prof != "" {
		conf += fmt.Sprintf("pprof_addr: %q\n", prof)
	}
	confPath := filepath.Join(dir, "okrbot.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, fmt.Errorf("write okrbot's configuration: %w", err)
	}
	cmd := exec.Command(bin, "serve", "--config", confPath)
	// This environment without any chat platform's or okrbot's settings it
	// may carry: the configuration file says everything.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "SLACK_") && !strings.HasPrefix(name, "MICROSOFT_") && !strings.HasPrefix(name, "BOTFRAMEWORK_") &&
			!strings.HasPrefix(name, "OKRBOT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	p := &process{cmd: cmd, base: "http://" + addr, out: &lockedBuffer{}, exited: make(chan struct{})}
	if prof != "" {
		p.pprof = "http://" + prof
	}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start okrbot serve: %w", err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(ctx, time.Minute); err != nil {
		p.kill()
		return nil, err
	}
	return p, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (p *process) waitReady(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/readyz", nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("okrbot serve ended before it was ready (%v):\n%s", p.err, p.out.tail())
		case <-ctx.Done():
			return fmt.Errorf("okrbot serve was not ready within %s:\n%s", within, p.out.tail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *process) stop(within time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop okrbot serve: %w", err)
	}
	select {
	case <-p.exited:
	case <-time.After(within):
		p.kill()
		return fmt.Errorf("okrbot serve did not stop within %s of SIGTERM:\n%s", within, p.out.tail())
	}
	if p.err != nil {
		return fmt.Errorf("okrbot serve ended with %v:\n%s", p.err, p.out.tail())
	}
	return nil
}

func (p *process) kill() {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// profile asks the process's profiler for a CPU profile of the next d and
// writes it to path; the channel says how that went once it is written.
// Without a path it does nothing.
func (p *process) profile(ctx context.Context, path string, d time.Duration) <-chan error {
	done := make(chan error, 1)
	if path == "" {
		done <- nil
		return done
	}
	go func() {
		done <- func() error {
			secs := max(1, int(d.Round(time.Second)/time.Second))
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", p.pprof, secs), nil)
			if err != nil {
				return fmt.Errorf("ask okrbot serve for a CPU profile: %w", err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("ask okrbot serve for a CPU profile: %w", err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("okrbot serve's profiler answered %s", res.Status)
			}
			f, err := os.Create(path)
			if err != nil {
				return fmt.Errorf("write the CPU profile: %w", err)
			}
			_, err = io.Copy(f, res.Body)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("write the CPU profile %s: %w", path, err)
			}
			return nil
		}()
	}()
	return done
}

// memory is what a process holds while it serves: the Go heap in use
// (from its profiler's runtime.MemStats) and its resident memory now and
// at its peak (from /proc), in MiB. Most of the resident memory is the
// store's file that bbolt maps, pages the kernel can take back.
type memory struct{ heapInuse, rss, rssPeak int64 }

func (p *process) memory(ctx context.Context) (memory, error) {
	var m memory
	if p.pprof == "" {
		return m, errors.New("okrbot serve runs without its profiler")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.pprof+"/debug/pprof/heap?debug=1", nil)
	if err != nil {
		return m, fmt.Errorf("ask okrbot serve for its heap: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, fmt.Errorf("ask okrbot serve for its heap: %w", err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		return m, fmt.Errorf("okrbot serve's heap: %s %v", res.Status, err)
	}
	if m.heapInuse = field(string(body), "# HeapInuse = ") >> 20; m.heapInuse == 0 {
		return m, errors.New("okrbot serve's heap profile says no HeapInuse")
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return m, fmt.Errorf("read okrbot serve's memory: %w", err)
	}
	m.rss, m.rssPeak = field(string(status), "VmRSS:")>>10, field(string(status), "VmHWM:")>>10
	return m, nil
}

// field is the number after prefix at the start of one of text's lines
// (0 when there is none).
func field(text, prefix string) int64 {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			var n int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
			return n
		}
	}
	return 0
}
