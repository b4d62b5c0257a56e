// Package shell is a terminal chat: it runs the same engine as Slack and
// Teams, reading lines from standard input and printing answers as plain
// text. Buttons become numbered choices and forms become prompts, so every
// feature is usable here, and whole conversations can be scripted.
package shell

import (
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
	// Known reports whether someone of this name is known already; with
	// it, `/as NAME` for a name nobody has asks before becoming a new
	// person. Nil knows everyone.
	Known func(ctx context.Context, name string) bool
}

// Shell is the terminal adapter.
type Shell struct {
	in          io.Reader
	out         io.Writer
	interactive bool
	commands    map[string]func(ctx context.Context, args string) string
	known       func(ctx context.Context, name string) bool
	// run refuses a second Run, whose reader would race the first's for
	// the input.
	run *kit.RunOnce

	mu      sync.Mutex // guards out and the fields below
	user    string
	buttons []chat.Button
	pending []chat.Message
	// mail holds scheduled messages for people other than the one
	// speaking, until the shell becomes them (mail.go).
	mail mailbox
}

// New returns a shell reading from in and writing to out.
func New(in io.Reader, out io.Writer, opts Options) *Shell {
	user := strings.TrimSpace(opts.User)
	if user == "" {
		user = "me"
	}
	// Until Run has greeted the person, arrivals wait to be announced.
	return &Shell{in: in, out: escaping{out}, interactive: opts.Interactive, user: user, commands: opts.Commands, known: opts.Known,
		run: kit.NewRunOnce(Platform), mail: mailbox{busy: true}}
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
	s.setBusy(false)
	lines := make(chan line)
	// readErr is written before lines is closed, and read only after.
	var readErr error
	go func() {
		defer close(lines)
		readErr = readLines(s.in, MaxLine, func(l line) bool {
			select {
			case lines <- l:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	next := func() (string, bool, error) {
		for {
			s.prompt()
			select {
			case <-ctx.Done():
				return "", false, ctx.Err()
			case l, ok := <-lines:
				if !ok {
					return "", false, readErr
				}
				if l.over > 0 {
					// Refused, and the chat goes on.
					s.printf("That line was %d bytes long, over the %d a line may have (1 MiB), so nothing was sent.\n", l.over, MaxLine)
					continue
				}
				return l.text, true, nil
			}
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
		if !s.interactive {
			// A terminal echoed the line already; a script's output shows it.
			s.printf("%s> %s\n", s.User(), line)
		}
		quit, err := s.handleLine(ctx, h, line, next)
		if quit || err != nil {
			return err
		}
	}
}

// handleLine handles one line: the shell's own commands, or an event for
// the engine and the forms its answers ask for. Scheduled messages for
// others that arrive meanwhile are announced once it is done.
func (s *Shell) handleLine(ctx context.Context, h chat.Handler, line string, next func() (string, bool, error)) (quit bool, err error) {
	s.setBusy(true)
	defer s.setBusy(false)
	if name, args, ok := s.ownCommand(line); ok {
		s.printf("%s", s.commands[name](ctx, args))
		return false, nil
	}
	if name, ok := asCommand(line); ok {
		return false, s.become(ctx, name, next)
	}
	ev, quit := s.event(line)
	for ev != nil {
		h.Handle(ctx, *ev, s)
		ev = nil
		for _, m := range s.takePending() {
			if m.Form == nil {
				continue
			}
			submit, err := s.fillForm(m.Form, next)
			if err != nil {
				return false, err
			}
			if submit != nil {
				ev = submit
			}
		}
	}
	return quit, nil
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

// asCommand reads `/as NAME` (or `:as NAME`), returning the name as typed.
func asCommand(line string) (string, bool) {
	lower := strings.ToLower(line)
	if !strings.HasPrefix(lower, "/as ") && !strings.HasPrefix(lower, ":as ") {
		return "", false
	}
	return strings.TrimPrefix(strings.TrimSpace(line[4:]), "@"), true
}

// become makes the shell speak as name: `/as NAME`. For a name nobody has
// (Options.Known), it asks first, and "no" leaves everything as it was;
// okrbot meets a new person with their first message.
func (s *Shell) become(ctx context.Context, name string, next func() (string, bool, error)) error {
	if name == "" || strings.ContainsAny(name, " \t") {
		s.printf("Usage: /as NAME (one word, e.g. /as alice)\n")
		return nil
	}
	if s.known != nil && !strings.EqualFold(name, s.User()) && !s.known(ctx, name) {
		s.printf("Nobody is called %s here yet. Become %s, a new person? (yes/no)\n", name, name)
		for {
			answer, ok, err := next()
			if err != nil || !ok {
				return err
			}
			if !s.interactive {
				s.printf("%s> %s\n", s.User(), answer)
			}
			switch strings.ToLower(strings.TrimSpace(answer)) {
			case "yes", "y":
			case "no", "n":
				s.printf("You are still %s; nobody new was added.\n", s.User())
				return nil
			default:
				s.printf("Please answer yes or no.\n")
				continue
			}
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.buttons = name, nil
	fmt.Fprintf(s.out, "You are now %s.\n", name)
	s.deliverMailLocked()
	return nil
}

// event turns a line into an event, or reports that it ends the chat.
func (s *Shell) event(line string) (*chat.Event, bool) {
	lower := strings.ToLower(line)
	if lower == "/quit" || lower == "/exit" || lower == "quit" || lower == "exit" {
		return nil, true
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
// conversation: a channel's, or the direct messages of the person
// speaking. One for someone else waits until the shell becomes them, and
// is announced in one line (mail.go).
func (s *Shell) Send(_ context.Context, to chat.Conversation, m chat.Message) (chat.SentRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text, buttons := Render(m)
	who := ""
	if to.Direct || strings.HasPrefix(to.ID, "dm:") {
		who = to.UserID
		if who == "" {
			who = strings.TrimPrefix(to.ID, "dm:")
		}
	}
	if who != "" && who != userID(s.user) {
		s.mail.add(who, letter{to: to.ID, text: text, buttons: buttons})
		if !s.mail.busy {
			s.announceLocked(true)
		}
		return chat.SentRef{Conversation: to.ID}, nil
	}
	fmt.Fprintf(s.out, "[to %s]\n%s", to.ID, text)
	if who != "" {
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
// (or leaves an optional input blank); "cancel" abandons the form. A form
// sent back with refused answers (chat.Input.Error) asks only those again,
// each after its reason, and keeps the other answers as they were.
func (s *Shell) fillForm(f *chat.Form, next func() (string, bool, error)) (*chat.Event, error) {
	again := f.Invalid()
	if again {
		s.printf("%s: answer again where asked; your other answers are kept (`cancel` stops)\n", f.Title)
	} else {
		s.printf("%s (answer each question; Enter keeps the value in brackets, `cancel` stops)\n", f.Title)
	}
	vals := map[string]string{}
	for _, in := range f.Inputs {
		if again && in.Error == "" {
			vals[in.ID] = in.Initial
			continue
		}
		if in.Error != "" {
			// What was typed was refused: asked afresh, not offered again.
			s.printf("  ! %s\n", in.Error)
			in.Initial = ""
		}
		for {
			q := chat.PlainText(in.Label) // a person's text in it reads as typed
			if in.Hint != "" {
				q += " (" + chat.PlainText(in.Hint) + ")"
			}
			if in.Kind == chat.InputSelect {
				var opts []string
				for i, o := range in.Options {
					opts = append(opts, fmt.Sprintf("%d) %s", i+1, chat.PlainText(o.Label)))
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
				// A number left blank stays as it is (its bracket shows it).
				vals[in.ID] = in.Initial
				if in.Kind == chat.InputNumber {
					vals[in.ID] = ""
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
		if strings.EqualFold(chat.PlainText(o.Label), answer) || strings.EqualFold(o.Value, answer) {
			return o.Value, true
		}
	}
	return "", false
}
