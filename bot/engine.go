// Package bot is the platform-neutral conversation engine: it turns events
// from chat adapters into OKR operations and answers with neutral messages.
package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/okrbot/okrbot/bot/retro"
	"github.com/okrbot/okrbot/bot/words"
	"github.com/okrbot/okrbot/chat"
	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/okrcore/people"
	"github.com/okrbot/okrbot/okrcore/wording"
	"github.com/okrbot/okrbot/reply"
	"github.com/okrbot/okrbot/report"
)

// Options configure an Engine.
type Options struct {
	// Now is the clock; tests move it. Defaults to time.Now.
	Now func() time.Time
	// Logger receives operational logs; message bodies are logged at debug only.
	Logger *slog.Logger
	// DialogTTL is how long a half-finished guided check-in waits for the
	// next answer. Default 2 hours.
	DialogTTL time.Duration
	// DedupeTTL is how long delivered event ids are remembered. Default 24 hours.
	DedupeTTL time.Duration
	// Observer, when set, is told about every handled event and every
	// recorded check-in (for metrics).
	Observer Observer
	// Workspace, when set, is the one workspace every event belongs to,
	// whatever platform workspace (Slack team, Microsoft tenant) it came
	// from: one organisation served on Slack and Teams at once, with one
	// set of OKRs. Empty keeps each platform workspace apart.
	Workspace string
	// Platforms are the chat platforms this process serves, so that a
	// person on several is messaged on one that runs. Empty means every
	// platform.
	Platforms []string
	// DefaultTimeZone is given to people whose platform does not tell
	// their time zone when the bot first meets them. It must be a valid
	// IANA name; empty means UTC.
	DefaultTimeZone string
	// Directories are the platforms' people directories, by platform, for
	// `okr people sync` and for placing someone who never wrote.
	Directories map[string]chat.Directory
}

// Observer receives what the engine did, for metrics. Implementations must
// be safe for concurrent use and fast.
type Observer interface {
	EventHandled(platform string, kind chat.EventKind, took time.Duration)
	CheckInsRecorded(platform string, n int)
}

// Compose builds the message an outbox item sends, with the engine's
// reports: the engine is the dispatcher's composer wherever it runs.
func (e *Engine) Compose(ctx context.Context, it *okrcore.OutboxItem) (chat.Delivery, error) {
	return e.reports.Compose(ctx, it)
}

// Engine is the conversation engine.
type Engine struct {
	cmds      map[string]commandSpec
	locs      chat.Zones
	observer  Observer
	store     okrcore.Store
	now       func() time.Time
	log       *slog.Logger
	dialogTTL time.Duration
	dedupeTTL time.Duration
	workspace string
	defaultTZ string
	served    map[string]bool // nil: every platform
	reports   *report.Reports
	dirs      map[string]chat.Directory
	checkIns  committer      // groups concurrent check-ins (commit.go)
	marks     sync.WaitGroup // marks of writeless handlings and reads' accounts being written (inbox.go)
}

// NewEngine returns an engine over store.
func NewEngine(store okrcore.Store, opts Options) *Engine {
	e := &Engine{store: onceStore{store}, now: opts.Now, log: opts.Logger, dialogTTL: opts.DialogTTL, dedupeTTL: opts.DedupeTTL, observer: opts.Observer,
		workspace: opts.Workspace, defaultTZ: opts.DefaultTimeZone, dirs: opts.Directories}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.dialogTTL <= 0 {
		e.dialogTTL = 2 * time.Hour
	}
	if e.dedupeTTL <= 0 {
		e.dedupeTTL = 24 * time.Hour
	}
	if len(opts.Platforms) > 0 {
		e.served = map[string]bool{}
		for _, p := range opts.Platforms {
			e.served[p] = true
		}
	}
	e.reports = report.New(store, report.Options{Now: opts.Now, Logger: opts.Logger, Platforms: opts.Platforms})
	e.cmds = e.buildCommands()
	return e
}

// request is one event being handled, with the person behind it.
type request struct {
	ev    chat.Event
	ws    string
	actor *okrcore.User
	now   time.Time
	// found are the people a directory found for words of the command
	// that name nobody okrbot knows (lookUpUnknown).
	found map[string]people.Profile
	words wording.Words // the workspace's, which its answer is worded in
}

// Handle processes one event and answers through r. It never returns an
// error: every failure becomes a message for the person, and internal ones
// are logged.
func (e *Engine) Handle(ctx context.Context, ev chat.Event, r chat.Responder) {
	msg, ok := e.handleOnce(ctx, ev)
	if !ok {
		return
	}
	if err := r.Respond(ctx, msg); err != nil {
		e.log.ErrorContext(ctx, "respond", "platform", ev.Platform, "workspace", ev.Workspace, "event", ev.ID, "err", err)
	}
}

// Process handles an event and returns the answer instead of sending it;
// ok is false when there is nothing to say (a duplicate delivery).
func (e *Engine) Process(ctx context.Context, ev chat.Event) (chat.Message, bool) {
	return e.handleOnce(ctx, ev)
}

func (e *Engine) handle(ctx context.Context, ev chat.Event) (chat.Message, bool) {
	if e.observer != nil {
		start := time.Now()
		defer func() { e.observer.EventHandled(ev.Platform, ev.Kind, time.Since(start)) }()
	}
	if e.workspace != "" && ev.Workspace != "" {
		ev.Workspace = e.workspace
	}
	if ev.Workspace == "" || ev.UserID == "" {
		e.log.WarnContext(ctx, "event without workspace or user", "platform", ev.Platform, "kind", ev.Kind)
		return chat.Message{}, false
	}
	now := e.now()
	if ev.ID != "" {
		// Platforms number their events independently, and one workspace
		// may hear from several.
		dup, err := e.seen(ctx, ev.Workspace, eventKey(ev.Platform, ev.ID), now)
		if err != nil {
			return e.fail(ctx, "dedupe event", err), true
		}
		if dup {
			e.log.DebugContext(ctx, "duplicate event dropped", "event", ev.ID)
			return chat.Message{}, false
		}
	}
	actor, err := e.resolveUser(ctx, ev, now)
	if err != nil {
		return e.fail(ctx, "resolve user", err), true
	}
	if err := e.rememberChannel(ctx, ev, now); err != nil {
		e.log.WarnContext(ctx, "store channel reference", "err", err)
	}
	// From here the first write that commits marks the event handled
	// (bot/inbox.go).
	e.arm(ctx, ev, now)
	req := &request{ev: ev, ws: ev.Workspace, actor: actor, now: now, words: words.Of(ctx, e.store, ev.Workspace)}
	e.log.DebugContext(ctx, "event", "kind", ev.Kind, "user", actor.Name, "text", ev.Text)
	var msg chat.Message
	switch ev.Kind {
	case chat.EventCommand:
		msg, err = e.command(ctx, req, ev.Text)
	case chat.EventButton:
		// A button's value is a command string, or an answer in a guided
		// check-in; both take the path of a typed message.
		msg, err = e.message(ctx, req, ev.Value)
	case chat.EventMessage:
		msg, err = e.message(ctx, req, ev.Text)
	case chat.EventFormSubmit:
		if ev.FormID == retro.GradesFormID {
			msg, err = e.gradesSubmit(ctx, req)
			break
		}
		msg, err = e.formSubmit(ctx, req)
	case chat.EventHomeOpened:
		msg, err = e.mine(ctx, req, nil)
	case chat.EventInstalled:
		// The conversation reference is stored by resolveUser; a personal
		// install gets a welcome.
		if !ev.Conversation.Direct {
			return chat.Message{}, false
		}
		msg = chat.Text(fmt.Sprintf("Hi %s! I'm okrbot: I'll ask for your %s OKR check-in here and show you where your objectives stand. Try `okr mine` or `okr help`.", chat.User(actor.Name), report.CadenceWord(e.cadenceOf(ctx, req))))
	case chat.EventRemoved:
		err = e.forgetConversation(ctx, req)
		if err != nil {
			return e.fail(ctx, string(ev.Kind), err), true
		}
		return chat.Message{}, false
	default:
		return chat.Message{}, false
	}
	if err != nil {
		msg = e.fail(ctx, string(ev.Kind), err)
	}
	return wordpass.New(req.words).Message(msg), true
}

// rememberChannel stores the platform reference of a channel conversation
// (Teams needs it to post a digest there after a restart), when it is new
// or changed; removal from a channel forgets it.
func (e *Engine) rememberChannel(ctx context.Context, ev chat.Event, now time.Time) error {
	c := ev.Conversation
	if c.Direct || c.ID == "" || (c.Ref == "" && ev.Kind != chat.EventRemoved) {
		return nil
	}
	var stored string
	listed := false
	if err := e.store.View(ctx, func(tx okrcore.Tx) error {
		b, err := tx.State(ev.Workspace, report.ChannelRefKey(c.ID))
		if err == nil {
			stored = string(b)
		}
		listed = slices.Contains(places(tx, ev.Workspace, ev.Platform), c.ID)
		return nil
	}); err != nil {
		return err
	}
	if ev.Kind != chat.EventRemoved && stored == c.Ref && listed {
		return nil
	}
	return e.store.Update(ctx, func(tx okrcore.Tx) error {
		if err := keepPlace(tx, ev, now); err != nil {
			return err
		}
		if ev.Kind == chat.EventRemoved {
			if err := tx.DeleteState(ev.Workspace, report.ChannelRefKey(c.ID)); err != nil && !okrcore.IsNotFound(err) {
				return err
			}
			return nil
		}
		return tx.PutState(ev.Workspace, report.ChannelRefKey(c.ID), []byte(c.Ref), now.Add(channelRefTTL))
	})
}

// forgetConversation drops a person's stored direct conversation when the
// app is removed from it, so that nothing is sent into the void.
func (e *Engine) forgetConversation(ctx context.Context, req *request) error {
	if !req.ev.Conversation.Direct {
		return nil
	}
	return e.store.Update(ctx, func(tx okrcore.Tx) error {
		return people.ForgetDirectConversation(tx, req.actor, req.ev.Platform, req.ev.UserID, req.ev.Conversation.ID)
	})
}

// seen reports whether key was recorded: the event was handled before. It
// writes nothing: the handling's first write records key (see arm and
// onceStore in bot/inbox.go), so that an event cut off by a crash before
// its effect is not taken for handled when it is replayed.
func (e *Engine) seen(ctx context.Context, ws, key string, _ time.Time) (bool, error) {
	return okrcore.View(ctx, e.store, func(tx okrcore.Tx) (bool, error) {
		_, err := tx.State(ws, key)
		if okrcore.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
}

// fail turns an error into a message: the domain's own sentence when it has
// one, a short apology for anything internal (logged with detail).
func (e *Engine) fail(ctx context.Context, op string, err error) chat.Message {
	var qe quotingUsager
	if errors.As(err, &qe) {
		msg := qe.UsageWith(chat.User)
		return chat.Message{Text: msg, Blocks: []chat.Block{chat.Section{Text: msg}}, Ephemeral: true}
	}
	var ue usager
	if errors.As(err, &ue) {
		msg := ue.Usage()
		return chat.Message{Text: msg, Blocks: []chat.Block{chat.Section{Text: msg}}, Ephemeral: true}
	}
	if msg := okrcore.ErrorMessageWith(err, chat.User); msg != "" {
		return chat.Message{Text: msg, Blocks: []chat.Block{chat.Section{Text: msg}}, Ephemeral: true}
	}
	e.log.ErrorContext(ctx, "internal error", "op", op, "err", err)
	s := "Sorry, something went wrong on my side and nothing was changed. It has been logged; please try again in a moment."
	return chat.Message{Text: s, Blocks: []chat.Block{chat.Section{Text: s}}, Ephemeral: true}
}

// commandError is a message for the person about how they used a command.
type commandError struct{ msg string }

func (c *commandError) Error() string { return c.msg }

// Usage is the sentence to show.
func (c *commandError) Usage() string { return c.msg }

// usager is an error that is a sentence about how a command was used, from
// the conversation's own commands or from a report.
type usager interface{ Usage() string }

// quotingUsager is a usager whose sentence quotes what the person typed
// (reply's): rendered with chat.User, those words show literally.
type quotingUsager interface {
	UsageWith(quote func(string) string) string
}

func usage(format string, args ...any) error {
	return &commandError{msg: fmt.Sprintf(format, args...)}
}

// resolveUser finds or creates the person behind an event, and the
// workspace on its first event: people.RegisterAccount says how (the
// first person becomes the workspace's admin, a verified address joins
// the person on another platform).
func (e *Engine) resolveUser(ctx context.Context, ev chat.Event, now time.Time) (*okrcore.User, error) {
	p := profileOf(ev)
	// A new account needs the workspace's people (is anyone there yet,
	// does someone have this verified address?). They are read here, in a
	// read transaction that blocks nobody, not under the write lock: in a
	// 10,000-person workspace the scan takes tens of milliseconds.
	seen, err := okrcore.View(ctx, e.store, func(tx okrcore.Tx) (people.AccountLookup, error) {
		return people.LookUpAccount(tx, p)
	})
	if err != nil {
		return nil, fmt.Errorf("look up user: %w", err)
	}
	if seen.User != nil && !people.ProfileChanged(seen.User, p) {
		return seen.User, nil
	}
	register := func(ctx context.Context) (people.Registration, error) {
		return okrcore.Update(ctx, e.store, func(tx okrcore.Tx) (people.Registration, error) {
			return people.RegisterAccount(tx, now, p, seen, e.defaultTZ)
		})
	}
	if u := people.Expected(seen, p); u != nil && !e.keeps(ev) {
		// A read answers as the person it will be registered as, without
		// waiting for that write to be durable: a crash before it loses
		// nothing that the person's next contact does not write again.
		e.marks.Add(1)
		go func() {
			defer e.marks.Done()
			switch r, err := register(context.WithoutCancel(ctx)); {
			case err != nil:
				e.log.WarnContext(ctx, "store user after a read", "platform", ev.Platform, "err", err)
			case r.Joined:
				e.log.InfoContext(ctx, "account linked by verified e-mail", "user", r.User.ID, "platform", ev.Platform)
			}
		}()
		return u, nil
	}
	r, err := register(ctx)
	if err != nil {
		return nil, fmt.Errorf("store user: %w", err)
	}
	switch {
	case r.Joined:
		e.log.InfoContext(ctx, "account linked by verified e-mail", "user", r.User.ID, "platform", ev.Platform)
	case r.Folded != 0:
		e.log.InfoContext(ctx, "account linked by verified e-mail after first contact", "user", r.User.ID, "folded", r.Folded, "platform", ev.Platform)
	}
	return r.User, nil
}

// profileOf is what an event says about the person behind it.
func profileOf(ev chat.Event) people.Profile {
	p := people.Profile{Workspace: ev.Workspace, Platform: ev.Platform, PlatformID: ev.UserID, Name: strings.TrimSpace(okrcore.CleanText(ev.UserName, false)),
		Email: ev.Email, EmailVerified: ev.EmailVerified, TimeZone: ev.TimeZone}
	if ev.Conversation.Direct && ev.Conversation.ID != "" {
		p.DM, p.DMRef = ev.Conversation.ID, ev.Conversation.Ref
	}
	return p
}

// EnsureWorkspace creates a workspace on first use, with the current
// quarter as its cycle, as okrcore.EnsureWorkspace does.
func EnsureWorkspace(tx okrcore.Tx, ws, platform string, now time.Time) error {
	return okrcore.EnsureWorkspace(tx, ws, platform, now)
}

// message handles free text: a command with or without its /okr prefix, an
// answer in a guided check-in, or a check-in in plain words.
func (e *Engine) message(ctx context.Context, req *request, text string) (chat.Message, error) {
	text = strings.TrimSpace(text)
	if rest, ok := stripPrefix(text); ok {
		return e.command(ctx, req, rest)
	}
	first, _ := words.CommandWord(req.words, firstWord(text))
	first = cmp.Or(first, firstWord(text))
	_, isCommand := e.commands()[first]
	d, err := e.loadDialog(ctx, req)
	if err != nil {
		return chat.Message{}, err
	}
	if d != nil && (!isCommand || dialogWords[first]) {
		return e.dialogStep(ctx, req, d, text)
	}
	// A retrospective in progress takes answers a check-in dialog didn't.
	if d == nil {
		if m, ok, err := e.retroMessage(ctx, req, text); ok {
			return m, err
		}
	}
	if isCommand {
		m, err := e.command(ctx, req, text)
		var ue usager
		if errors.As(err, &ue) {
			// "new customers 22" starts like a command but is a check-in on
			// a key result whose title starts with "new".
			if _, perr := reply.ParseReply(text); perr == nil {
				return e.plainCheckIn(ctx, req, text)
			}
		}
		return m, err
	}
	return e.plainCheckIn(ctx, req, text)
}

// dialogWords are answers in a guided check-in even though some of them are
// commands elsewhere.
var dialogWords = map[string]bool{"same": true, "skip": true, "next": true, "stop": true, "cancel": true, "done": true, "not": true}

func stripPrefix(text string) (string, bool) {
	l := strings.ToLower(text)
	for _, p := range []string{"/okr", "okr"} {
		if l == p {
			return "", true
		}
		if strings.HasPrefix(l, p+" ") {
			return strings.TrimSpace(text[len(p)+1:]), true
		}
	}
	return text, false
}

func firstWord(s string) string {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// directTo is the conversation for a direct message to u on a platform this
// process serves.
func (e *Engine) directTo(u *okrcore.User) chat.Conversation {
	if e.served == nil {
		return chat.DirectTo(u)
	}
	return chat.DirectAmong(u, func(p string) bool { return e.served[p] })
}
