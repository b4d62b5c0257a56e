// Package shell is a terminal chat: it runs the same engine as Slack and
// Teams, reading lines from standard input and printing answers as plain
// text. Buttons become numbered choices and forms become prompts, so every
// feature is usable here, and whole conversations can be scripted.
package shell

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/okrbot/okrbot/adapters/internal/kit"
	"github.com/okrbot/okrbot/chat"
)

// Platform and Workspace name the shell's single installation.
const (
	Platform  = "shell"
	Workspace = "local"
)

// Options configure a Shell.
type Options struct {
	// User is who you are at the start (`--as`); default "me".
	User string
	// Interactive prints a prompt before each line (a terminal), rather
	// than plain output for scripts.
	Interactive bool
	// Commands are the shell's own slash commands beyond /as and /quit
	// (for example /clock, which moves a demo's clock): the name without
	// its slash, and a function of the rest of the line that returns what
	// to print.
	Commands map[string]func(ctx context.Context, args string) string
}

// Shell is the terminal adapter.
type Shell struct {
	in          *bufio.Scanner
	out         io.Writer
	interactive bool
	commands    map[string]func(ctx context.Context, args string) string
	// run refuses a second Run, whose reader would race the first's for
	// the input.
	run *kit.RunOnce

	mu      sync.Mutex // guards out and the fields below
	user    string
	buttons []chat.Button
	pending []chat.Message
}

// New returns a shell reading from in and writing to out.
func New(in io.Reader, out io.Writer, opts Options) *Shell {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	user := strings.TrimSpace(opts.User)
	if user == "" {
		user = "me"
	}
	return &Shell{in: sc, out: out, interactive: opts.Interactive, user: user, commands: opts.Commands, run: kit.NewRunOnce(Platform)}
}

// User returns who is speaking now.
func (s *Shell) User() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

func userID(name string) string { return strings.ToLower(name) }

// Run reads lines until the input ends, ctx is cancelled or the person
// types /quit. Each line is handled before the next is read, so a scripted
// conversation prints its answers in order.
func (s *Shell) Run(ctx context.Context, h chat.Handler) error {
	if err := s.run.Start(h); err != nil {
		return err
	}
	if s.interactive {
		s.printf("okrbot terminal chat. You are %s. Type `help`, `/as NAME` to be someone else, `/quit` to leave.\n", s.User())
	}
	lines := make(chan string)
	// readErr is written before lines is closed, and read only after.
	var readErr error
	go func() {
		defer close(lines)
		for s.in.Scan() {
			select {
			case lines <- s.in.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr = s.in.Err()
	}()
	next := func() (string, bool, error) {
		s.prompt()
		select {
		case <-ctx.Done():
			return "", false, ctx.Err()
		case l, ok := <-lines:
			if !ok {
				return "", false, readErr
			}
			return l, true, nil
		}
	}
	for {
		line, ok, err := next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read input: %w", err)
		}
		if !ok {
			return nil
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if s.interactive {
			// nothing: the terminal echoed the line already
		} else {
			s.printf("%s> %s\n", s.User(), line)
		}
		if name, args, ok := s.ownCommand(line); ok {
			s.printf("%s", s.commands[name](ctx, args))
			continue
		}
		ev, quit := s.event(line)
		if quit {
			return nil
		}
		if ev == nil {
			continue
		}
		for ev != nil {
			h.Handle(ctx, *ev, s)
			ev = nil
			for _, m := range s.takePending() {
				if m.Form == nil {
					continue
				}
				submit, err := s.fillForm(m.Form, next)
				if err != nil {
					return err
				}
				if submit != nil {
					ev = submit
				}
			}
		}
	}
}

func (s *Shell) ownCommand(line string) (string, string, bool) {
	if !strings.HasPrefix(line, "/") {
		return "", "", false
	}
	name, args, _ := strings.Cut(line[1:], " ")
	if _, ok := s.commands[strings.ToLower(name)]; !ok {
		return "", "", false
	}
	return strings.ToLower(name), strings.TrimSpace(args), true
}

// event turns a line into an event; it handles the shell's own commands.
func (s *Shell) event(line string) (*chat.Event, bool) {
	lower := strings.ToLower(line)
	switch {
	case lower == "/quit" || lower == "/exit" || lower == "quit" || lower == "exit":
		return nil, true
	case strings.HasPrefix(lower, "/as ") || strings.HasPrefix(lower, ":as "):
		name := strings.TrimSpace(line[4:])
		name = strings.TrimPrefix(name, "@")
		if name == "" || strings.ContainsAny(name, " \t") {
			s.printf("Usage: /as NAME (one word, e.g. /as alice)\n")
			return nil, false
		}
		s.mu.Lock()
		s.user, s.buttons = name, nil
		s.mu.Unlock()
		s.printf("You are now %s.\n", name)
		return nil, false
	}
	ev := s.base()
	ev.Kind = chat.EventMessage
	ev.Text = line
	if n, err := strconv.Atoi(line); err == nil {
		s.mu.Lock()
		bs := s.buttons
		s.mu.Unlock()
		if n >= 1 && n <= len(bs) {
			ev.Kind = chat.EventButton
			ev.Value = bs[n-1].Value
			ev.Text = ""
		}
	}
	return &ev, false
}

func (s *Shell) base() chat.Event {
	u := s.User()
	return chat.Event{
		Platform:     Platform,
		Workspace:    Workspace,
		UserID:       userID(u),
		UserName:     u,
		Conversation: chat.Conversation{ID: "dm:" + userID(u), Direct: true},
	}
}

// Respond prints an answer (and remembers its buttons and form).
func (s *Shell) Respond(_ context.Context, m chat.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, buttons := Render(m)
	fmt.Fprint(s.out, text)
	if len(buttons) > 0 || m.Form == nil {
		s.buttons = buttons
	}
	s.pending = append(s.pending, m)
	return nil
}

func (s *Shell) takePending() []chat.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending = nil
	return p
}

// Send prints a proactive message (a nudge or a digest) addressed to a
// conversation.
func (s *Shell) Send(_ context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, buttons := Render(m)
	fmt.Fprintf(s.out, "[to %s]\n%s", to.ID, text)
	if to.ID == "dm:"+userID(s.user) {
		s.buttons = buttons
	}
	return chat.SentRef{Conversation: to.ID}, nil
}

func (s *Shell) printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.out, format, args...)
}

func (s *Shell) prompt() {
	if s.interactive {
		s.printf("%s> ", s.User())
	}
}

// fillForm asks each input in turn. An empty answer keeps the shown value
// (or leaves an optional input blank); "cancel" abandons the form.
func (s *Shell) fillForm(f *chat.Form, next func() (string, bool, error)) (*chat.Event, error) {
	s.printf("%s (answer each question; Enter keeps the value in brackets, `cancel` stops)\n", f.Title)
	vals := map[string]string{}
	for _, in := range f.Inputs {
		for {
			q := in.Label
			if in.Hint != "" {
				q += " (" + in.Hint + ")"
			}
			if in.Kind == chat.InputSelect {
				var opts []string
				for i, o := range in.Options {
					opts = append(opts, fmt.Sprintf("%d) %s", i+1, o.Label))
				}
				q += " " + strings.Join(opts, "  ")
			}
			if in.Initial != "" {
				q += " [" + in.Initial + "]"
			}
			s.printf("%s\n", q)
			line, ok, err := next()
			if err != nil {
				return nil, err
			}
			if !ok {
				s.printf("Form abandoned: the input ended.\n")
				return nil, nil
			}
			line = strings.TrimSpace(line)
			if !s.interactive {
				s.printf("%s> %s\n", s.User(), line)
			}
			if strings.EqualFold(line, "cancel") {
				s.printf("Cancelled; nothing was saved.\n")
				return nil, nil
			}
			if line == "" {
				if in.Kind != chat.InputNumber {
					vals[in.ID] = in.Initial
				}
				break
			}
			if in.Kind == chat.InputSelect {
				v, ok := pickOption(in.Options, line)
				if !ok {
					s.printf("Pick one of the numbers shown.\n")
					continue
				}
				line = v
			}
			vals[in.ID] = line
			break
		}
	}
	ev := s.base()
	ev.Kind, ev.FormID, ev.FormState, ev.Values = chat.EventFormSubmit, f.ID, f.State, vals
	return &ev, nil
}

func pickOption(opts []chat.Option, answer string) (string, bool) {
	if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(opts) {
		return opts[n-1].Value, true
	}
	for _, o := range opts {
		if strings.EqualFold(o.Label, answer) || strings.EqualFold(o.Value, answer) {
			return o.Value, true
		}
	}
	return "", false
}
