// Package web is okrbot's web view of the programme under /okr/: the
// company tree, team, person, objective and key result pages with their
// charts, the adoption page for admins, and the Teams tab around them.
// Pages are rendered on the server with html/template; nobody reaches one
// without a signed personal link, the session it opens, or Teams single
// sign-on, and a session reads only its own workspace.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/chat"
	wordpass "github.com/okrbot/okrbot/chat/wording"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/report"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// cookieName holds the session: the same signed token as the link.
const cookieName = "okrbot_web"

// teamsAncestors are the hosts Microsoft documents for framing a Teams
// tab (classic Teams, its subdomains, and new Teams on cloud.microsoft).
const teamsAncestors = "https://teams.microsoft.com https://*.teams.microsoft.com https://teams.cloud.microsoft"

// teamsJS is Microsoft's TeamsJS library, which the tab needs for single
// sign-on; the tab is the only page that runs a script.
const teamsJS = "https://res.cdn.office.net/teams-js/2.34.0/js/MicrosoftTeams.min.js"

// Options tune the web view.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// SSO checks Teams single sign-on tokens; nil turns the Teams tab off.
	SSO *SSO
	// Workspace is the one workspace every platform shares, as the engine
	// has it; "" means a Teams tenant is its own workspace.
	Workspace string
}

// Handler serves /okr/.
type Handler struct {
	store   okrcore.Store
	links   *Links
	reports *report.Reports
	sso     *SSO
	ws      string
	now     func() time.Time
	log     *slog.Logger
	pages   map[string]*template.Template // in the bot's own words
	worded  wordedPages                   // in a workspace's
	mux     *http.ServeMux
}

// NewHandler returns the web view over store, its links signed by links.
func NewHandler(store okrcore.Store, links *Links, opts Options) (*Handler, error) {
	h := &Handler{store: store, links: links, sso: opts.SSO, ws: opts.Workspace, now: opts.Now, log: opts.Logger, pages: map[string]*template.Template{}}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.reports = report.New(store, report.Options{Now: h.now, Logger: h.log})
	var err error
	if h.pages, err = parsePages(wordpass.Pass{}); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(staticFiles, "static")
	m := http.NewServeMux()
	m.HandleFunc("GET /okr/login", h.login)
	m.HandleFunc("GET /okr/{$}", h.page(h.tree))
	m.HandleFunc("GET /okr/me", h.page(h.me))
	m.HandleFunc("GET /okr/team/{id}", h.page(h.team))
	m.HandleFunc("GET /okr/person/{id}", h.page(h.person))
	m.HandleFunc("GET /okr/objective/{id}", h.page(h.objective))
	m.HandleFunc("GET /okr/kr/{id}", h.page(h.kr))
	m.HandleFunc("GET /okr/adoption", h.adoption)
	m.HandleFunc("GET /okr/img/{tok}", h.image)
	m.HandleFunc("GET /okr/tab", h.tab)
	m.HandleFunc("POST /okr/tab/session", h.tabSession)
	m.HandleFunc("GET /okr/tab/pick", h.pick)
	m.Handle("GET /okr/static/", http.StripPrefix("/okr/static/", http.FileServerFS(static)))
	m.HandleFunc("/okr/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, r, http.StatusNotFound, false, "Not here", "There is no such page. Start from the company tree.")
	})
	h.mux = m
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer") // a link carries its token
	hd.Set("Cache-Control", "no-store")
	setCSP(w, false)
	h.mux.ServeHTTP(w, r)
}

// setCSP allows what the pages use (their own style sheet, and on the tab
// TeamsJS) and lets only Teams frame a page of a Teams session.
func setCSP(w http.ResponseWriter, teams bool) {
	anc := "'none'"
	if teams {
		anc = teamsAncestors
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors "+anc)
}

// session is who is reading.
type session struct {
	claims
	user *okrcore.User
}

// viewFunc reads one page in tx.
type viewFunc func(tx okrcore.Tx, s *session, cs []*okrcore.Cycle, rd *report.Reading, r *http.Request) (string, string, any, error)

// page checks the session, then renders what view reads in one View
// transaction of the session's workspace. A page writes nothing: the
// check-in tally a team page counts from is built by okrbot serve at
// start (tally.FillEveryone), and a block not built yet is read from its
// people's own check-ins, a few milliseconds, not the block's whole
// history while the person waits.
func (h *Handler) page(view viewFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := h.session(w, r)
		if !ok {
			return
		}
		var p page
		var name string
		err := h.store.View(r.Context(), func(tx okrcore.Tx) error {
			cs, err := okrcore.CurrentCycles(tx, s.WS)
			if err != nil {
				return err
			}
			rd := report.NewReading(tx, s.WS, h.now())
			var title string
			var content any
			if name, title, content, err = view(tx, s, cs, rd, r); err != nil {
				return err
			}
			p = page{Title: title, Cycle: cycleNames(cs), Viewer: s.user.Name, Admin: s.user.Role == okrcore.RoleAdmin, Teams: s.Teams, Content: content, words: passOf(tx, s.WS)}
			return nil
		})
		switch {
		case errors.Is(err, okrcore.ErrNoCurrentCycle):
			h.message(w, r, http.StatusOK, s.Teams, "No cycle yet", "This workspace has no current cycle yet: an admin starts one with /okr cycle new in chat.")
			return
		case errors.Is(err, errGone):
			h.message(w, r, http.StatusNotFound, s.Teams, "Not here", "There is no such record in this workspace.")
			return
		case errors.Is(err, errRedirect):
			http.Redirect(w, r, idPath("person", s.Person), http.StatusSeeOther)
			return
		case err != nil:
			h.log.ErrorContext(r.Context(), "web page", "path", r.URL.Path, "workspace", s.WS, "err", err)
			h.message(w, r, http.StatusInternalServerError, s.Teams, "Something went wrong", "okrbot could not read this page. Try again in a moment.")
			return
		}
		h.render(w, r, http.StatusOK, name, p)
	}
}

var (
	errRedirect = errors.New("web: to the person's own page")
)

func pathID(r *http.Request) (okrcore.ID, error) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, errGone
	}
	return okrcore.ID(id), nil
}

func (h *Handler) tree(tx okrcore.Tx, s *session, cs []*okrcore.Cycle, rd *report.Reading, _ *http.Request) (string, string, any, error) {
	tp, err := readTree(tx, s.WS, cs, rd)
	return "tree", "Company tree", tp, err
}

func (h *Handler) me(okrcore.Tx, *session, []*okrcore.Cycle, *report.Reading, *http.Request) (string, string, any, error) {
	return "", "", nil, errRedirect
}

func (h *Handler) team(tx okrcore.Tx, s *session, cs []*okrcore.Cycle, rd *report.Reading, r *http.Request) (string, string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", nil, err
	}
	tp, err := readTeam(tx, s.WS, cs, rd, id)
	return "team", "Team " + chat.User(tp.Name), tp, err
}

func (h *Handler) person(tx okrcore.Tx, s *session, cs []*okrcore.Cycle, rd *report.Reading, r *http.Request) (string, string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", nil, err
	}
	pp, err := readPerson(tx, s.WS, cs, rd, id)
	return "person", chat.User(pp.Name), pp, err
}

func (h *Handler) objective(tx okrcore.Tx, s *session, _ []*okrcore.Cycle, rd *report.Reading, r *http.Request) (string, string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", nil, err
	}
	op, err := readObjective(tx, s.WS, rd, id)
	return "objective", op.Objective.Ref + " " + chat.User(op.Objective.Title), op, err
}

func (h *Handler) kr(tx okrcore.Tx, s *session, _ []*okrcore.Cycle, rd *report.Reading, r *http.Request) (string, string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", "", nil, err
	}
	kp, err := readKR(tx, s.WS, rd, id)
	return "kr", kp.KR.Ref + " " + chat.User(kp.KR.Title), kp, err
}

// block is one block of a composed message as the adoption page shows it.
type block struct {
	Kind, Text string
	Fields     []chat.Field
}

// adoption shows report's adoption report, admins only as in chat. The
// report reads in transactions of its own, so it is not read in a page's.
func (h *Handler) adoption(w http.ResponseWriter, r *http.Request) {
	s, ok := h.session(w, r)
	if !ok {
		return
	}
	if err := okrcore.RequireAdmin(s.user, "see the adoption page"); err != nil {
		h.message(w, r, http.StatusForbidden, s.Teams, "For admins", "Only an admin of this workspace can see the adoption page.")
		return
	}
	m, err := h.reports.Adoption(r.Context(), s.WS, h.now(), "")
	if errors.Is(err, okrcore.ErrNoCurrentCycle) {
		h.message(w, r, http.StatusOK, s.Teams, "No cycle yet", "This workspace has no current cycle yet: an admin starts one with /okr cycle new in chat.")
		return
	} else if err != nil {
		h.log.ErrorContext(r.Context(), "web page", "path", r.URL.Path, "workspace", s.WS, "err", err)
		h.message(w, r, http.StatusInternalServerError, s.Teams, "Something went wrong", "okrbot could not read this page. Try again in a moment.")
		return
	}
	words, _ := okrcore.View(r.Context(), h.store, func(tx okrcore.Tx) (wordpass.Pass, error) { return passOf(tx, s.WS), nil })
	h.render(w, r, http.StatusOK, "adoption", page{Title: "Adoption", Viewer: s.user.Name, Admin: true, Teams: s.Teams, Content: blocksOf(words.Message(m)), words: words})
}

func blocksOf(m chat.Message) []block {
	var bs []block
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case chat.Header:
			bs = append(bs, block{Kind: "header", Text: chat.PlainText(b.Text)})
		case chat.Section:
			fs := make([]chat.Field, len(b.Fields))
			for i, f := range b.Fields {
				fs[i] = chat.Field{Label: chat.PlainText(f.Label), Value: chat.PlainText(f.Value)}
			}
			bs = append(bs, block{Kind: "section", Text: chat.PlainText(b.Text), Fields: fs})
		case chat.Context:
			bs = append(bs, block{Kind: "context", Text: chat.PlainText(b.Text)})
		case chat.ProgressBar:
			bs = append(bs, block{Kind: "section", Text: chat.PlainText(b.Label) + " · " + chat.Percent(b.Progress)})
		}
	}
	return bs
}

// session reads and checks the session cookie; without a valid one it
// answers with a page that says how to get a link.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (*session, bool) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		h.message(w, r, http.StatusUnauthorized, false, "Sign in from chat", "Open the web view with a personal link: type /okr web to okrbot in Slack or Teams.")
		return nil, false
	}
	s, err := h.check(r.Context(), ck.Value)
	if err != nil {
		h.refuse(w, r, err)
		return nil, false
	}
	if s.Teams {
		setCSP(w, true)
	}
	return s, true
}

// check verifies a token and that its person is still in its workspace.
func (h *Handler) check(ctx context.Context, tok string) (*session, error) {
	c, err := h.links.verify(ctx, tok)
	if err != nil {
		return nil, err
	}
	u, err := okrcore.View(ctx, h.store, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.User(c.WS, c.Person) })
	if okrcore.IsNotFound(err) || (err == nil && (u.Left || u.Workspace != c.WS)) {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	return &session{claims: c, user: u}, nil
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errBadToken) {
		http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/okr/", MaxAge: -1, HttpOnly: true, Secure: h.links.Secure()})
		h.message(w, r, http.StatusUnauthorized, false, "Link expired", "This link has expired, was revoked or is not valid. Type /okr web to okrbot in chat for a new one.")
		return
	}
	h.log.ErrorContext(r.Context(), "web session", "err", err)
	h.message(w, r, http.StatusInternalServerError, false, "Something went wrong", "okrbot could not check your link. Try again in a moment.")
}

// login opens a session from a personal link and sends the browser on
// without the token in its address.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	s, err := h.check(r.Context(), tok)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	ck := &http.Cookie{Name: cookieName, Value: tok, Path: "/okr/", MaxAge: max(1, int(s.Exp.Sub(h.now()).Seconds())), HttpOnly: true, Secure: h.links.Secure(), SameSite: http.SameSiteLaxMode}
	if s.Teams && h.links.Secure() {
		// In the Teams frame the cookie is a third party's: it must be
		// None, and partitioned to Teams for browsers that block the rest.
		ck.SameSite, ck.Partitioned = http.SameSiteNoneMode, true
	}
	http.SetCookie(w, ck)
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/okr/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		next = "/okr/"
	}
	if s.Teams {
		setCSP(w, true)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// tab is the page Teams loads in the tab: it asks TeamsJS for a token and
// exchanges it for a session, then opens the page the tab is for.
func (h *Handler) tab(w http.ResponseWriter, r *http.Request) {
	if h.sso == nil {
		h.message(w, r, http.StatusNotFound, false, "No Teams tab", "This okrbot has no Teams single sign-on set up.")
		return
	}
	next := "/okr/me"
	if r.URL.Query().Get("view") == "config" {
		next = "/okr/tab/pick"
	}
	if id, err := strconv.ParseUint(r.URL.Query().Get("team"), 10, 64); err == nil && id > 0 {
		next = idPath("team", okrcore.ID(id))
	}
	setTabCSP(w)
	h.render(w, r, http.StatusOK, "tab", page{Title: "My OKRs", Teams: true, Content: struct{ Next, TeamsJS string }{next, teamsJS}})
}

// setTabCSP is the policy of the pages that run TeamsJS in the Teams frame.
func setTabCSP(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self' https://res.cdn.office.net; connect-src 'self'; base-uri 'none'; frame-ancestors "+teamsAncestors)
}

type pickPage struct {
	Teams   []person
	TeamsJS string
}

// pick is the configuration page of the channel tab: the team whose page
// the tab shows, chosen among the workspace's teams.
func (h *Handler) pick(w http.ResponseWriter, r *http.Request) {
	s, ok := h.session(w, r)
	if !ok {
		return
	}
	teams, err := okrcore.View(r.Context(), h.store, func(tx okrcore.Tx) ([]*okrcore.Team, error) { return tx.Teams(s.WS) })
	if err != nil {
		h.log.ErrorContext(r.Context(), "web page", "path", r.URL.Path, "workspace", s.WS, "err", err)
		h.message(w, r, http.StatusInternalServerError, s.Teams, "Something went wrong", "okrbot could not read the teams. Try again in a moment.")
		return
	}
	pp := pickPage{TeamsJS: teamsJS}
	for _, t := range teams {
		pp.Teams = append(pp.Teams, person{Name: t.Name, URL: strconv.FormatUint(uint64(t.ID), 10)})
	}
	setTabCSP(w)
	h.render(w, r, http.StatusOK, "pick", page{Title: "Which team's page?", Viewer: s.user.Name, Teams: true, Content: pp})
}

// tabSession exchanges a Teams single sign-on token for a session link.
func (h *Handler) tabSession(w http.ResponseWriter, r *http.Request) {
	answer := func(status int, v map[string]string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	if h.sso == nil {
		answer(http.StatusNotFound, map[string]string{"error": "This okrbot has no Teams single sign-on set up."})
		return
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	id, err := h.sso.Validate(r.Context(), strings.TrimSpace(raw))
	if !ok || err != nil {
		h.log.InfoContext(r.Context(), "teams tab token refused", "err", err)
		answer(http.StatusUnauthorized, map[string]string{"error": "Teams did not vouch for you. Reload the tab."})
		return
	}
	ws := h.ws
	if ws == "" {
		ws = id.Tenant
	}
	u, err := okrcore.View(r.Context(), h.store, func(tx okrcore.Tx) (*okrcore.User, error) { return tx.UserByPlatform(ws, "teams", id.ObjectID) })
	if okrcore.IsNotFound(err) || (err == nil && u.Left) {
		answer(http.StatusForbidden, map[string]string{"error": "okrbot does not know you yet: say hello to okrbot in a Teams chat first."})
		return
	} else if err != nil {
		h.log.ErrorContext(r.Context(), "teams tab session", "err", err)
		answer(http.StatusInternalServerError, map[string]string{"error": "okrbot could not open your session. Try again in a moment."})
		return
	}
	tok, err := h.links.sign(r.Context(), claims{WS: ws, Person: u.ID, Exp: h.now().Add(LinkTTL), Teams: true})
	if err != nil {
		h.log.ErrorContext(r.Context(), "teams tab session", "err", err)
		answer(http.StatusInternalServerError, map[string]string{"error": "okrbot could not open your session. Try again in a moment."})
		return
	}
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/okr/") {
		next = "/okr/me"
	}
	answer(http.StatusOK, map[string]string{"url": "/okr/login?t=" + tok + "&next=" + url.QueryEscape(next)})
}

type messagePage struct{ Text string }

func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, teams bool, title, text string) {
	h.render(w, r, status, "message", page{Title: title, Teams: teams, Content: messagePage{text}})
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t := h.pages[name]
	if !p.words.Zero() {
		pages, err := h.worded.get(p.words)
		if err != nil {
			h.log.ErrorContext(r.Context(), "web templates in a workspace's words", "err", err)
		} else {
			t = pages[name]
		}
	}
	// A title's person's text (a name, a title) is marked, the rest is the
	// bot's and is worded.
	p.Title = chat.PlainText(p.words.Text(p.Title))
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		h.log.ErrorContext(r.Context(), "web render", "page", name, "err", err)
		http.Error(w, "okrbot could not show this page.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
