package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// LinkTTL is how long a personal link, and the session it opens, lasts.
const LinkTTL = 12 * time.Hour

// keyState is the State slot holding a workspace's signing key. It lives
// forever; `/okr web revoke` replaces it, which ends every earlier link.
const keyState = "web:key"

// signingKey is a workspace's key material: Gen counts revocations, so a
// token says which key generation signed it.
type signingKey struct {
	Gen int    `json:"gen"`
	Key []byte `json:"key"`
}

// Links signs and checks the personal links of the web view. Keys are kept
// in the store, one per workspace, made at first use.
type Links struct {
	store  okrcore.Store
	public *url.URL
	now    func() time.Time
}

// NewLinks returns the signer of links to the web view at publicURL (the
// address people's browsers reach okrbot at).
func NewLinks(store okrcore.Store, publicURL string, now func() time.Time) (*Links, error) {
	u, err := ParsePublicURL(publicURL)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Links{store: store, public: u, now: now}, nil
}

// ParsePublicURL checks the address people's browsers reach okrbot at.
func ParsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(s), "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the public URL %q must be an address such as https://okrbot.example.com", s)
	}
	return u, nil
}

// Secure says whether browsers reach okrbot over HTTPS (cookies are then Secure).
func (l *Links) Secure() bool { return l.public.Scheme == "https" }

// Base is the public URL the pages are under.
func (l *Links) Base() string { return l.public.String() + "/okr/" }

// Link returns a personal link for person in ws, valid for LinkTTL.
func (l *Links) Link(ctx context.Context, ws string, person okrcore.ID) (string, error) {
	tok, err := l.sign(ctx, claims{WS: ws, Person: person, Exp: l.now().Add(LinkTTL)})
	if err != nil {
		return "", err
	}
	return l.public.String() + "/okr/login?t=" + tok, nil
}

// TeamLink is the page of team in ws, for a digest to point at: it opens
// for anyone with a session of that workspace.
func (l *Links) TeamLink(team okrcore.ID) string {
	return l.public.String() + "/okr/team/" + strconv.FormatUint(uint64(team), 10)
}

// Revoke replaces the workspace's key: every link and session made before
// stops working.
func (l *Links) Revoke(ctx context.Context, ws string) error {
	err := l.store.Update(ctx, func(tx okrcore.Tx) error {
		k, err := readKey(tx, ws)
		if err != nil && !okrcore.IsNotFound(err) {
			return err
		}
		return putKey(tx, ws, k.Gen+1)
	})
	if err != nil {
		return fmt.Errorf("revoke web links: %w", err)
	}
	return nil
}

// claims are what a token says: whose session it is, until when, and
// whether it was opened by Teams single sign-on (its pages are framed by
// Teams).
type claims struct {
	WS     string
	Person okrcore.ID
	Exp    time.Time
	Gen    int
	Teams  bool
}

func (c claims) payload() string {
	via := "l"
	if c.Teams {
		via = "t"
	}
	return strings.Join([]string{"1", c.WS, strconv.FormatUint(uint64(c.Person), 10), strconv.FormatInt(c.Exp.Unix(), 10), strconv.Itoa(c.Gen), via}, "|")
}

var errBadToken = errors.New("web: the link is not valid")

// tokenEncoding writes tokens in letters and digits only, so that a link
// in a chat message is plain text on every platform: no character of it
// is markup, and nothing in it needs escaping (which would break the link).
var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// parseClaims reads a payload; the signature is checked by the caller.
func parseClaims(p string) (claims, error) {
	f := strings.Split(p, "|")
	if len(f) != 6 || f[0] != "1" || f[1] == "" || (f[5] != "l" && f[5] != "t") {
		return claims{}, errBadToken
	}
	person, err1 := strconv.ParseUint(f[2], 10, 64)
	exp, err2 := strconv.ParseInt(f[3], 10, 64)
	gen, err3 := strconv.Atoi(f[4])
	if err1 != nil || err2 != nil || err3 != nil || person == 0 {
		return claims{}, errBadToken
	}
	return claims{WS: f[1], Person: okrcore.ID(person), Exp: time.Unix(exp, 0), Gen: gen, Teams: f[5] == "t"}, nil
}

// sign makes a token for c with the workspace's current key, making the
// key at first use.
func (l *Links) sign(ctx context.Context, c claims) (string, error) {
	return l.signPayload(ctx, c.WS, func(gen int) string { c.Gen = gen; return c.payload() })
}

// signPayload signs the payload made for the key generation of ws that
// signs it: every token of the web view (a session's, a picture's) is
// signed here, each kind with a payload the others' parsers refuse.
func (l *Links) signPayload(ctx context.Context, ws string, payload func(gen int) string) (string, error) {
	k, err := okrcore.View(ctx, l.store, func(tx okrcore.Tx) (signingKey, error) { return readKey(tx, ws) })
	if okrcore.IsNotFound(err) {
		k, err = okrcore.Update(ctx, l.store, func(tx okrcore.Tx) (signingKey, error) {
			k, err := readKey(tx, ws) // another request may have made it meanwhile
			if okrcore.IsNotFound(err) {
				if err := putKey(tx, ws, 1); err != nil {
					return k, err
				}
				return readKey(tx, ws)
			}
			return k, err
		})
	}
	if err != nil {
		return "", fmt.Errorf("read the web signing key: %w", err)
	}
	p := payload(k.Gen)
	return tokenEncoding.EncodeToString([]byte(p)) + "." + tokenEncoding.EncodeToString(mac(k.Key, p)), nil
}

// verify checks a session token's signature with its workspace's key, its
// key generation and its expiry.
func (l *Links) verify(ctx context.Context, tok string) (claims, error) {
	var c claims
	err := l.verifyPayload(ctx, tok, func(p string) (string, int, time.Time, error) {
		var err error
		c, err = parseClaims(p)
		return c.WS, c.Gen, c.Exp, err
	})
	return c, err
}

// verifyPayload checks a token: parse reads its payload (refusing one of
// another kind) and says its workspace, key generation and expiry, which
// must be the workspace's current key's and in the future.
func (l *Links) verifyPayload(ctx context.Context, tok string, parse func(string) (ws string, gen int, exp time.Time, err error)) error {
	p64, s64, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 512 {
		return errBadToken
	}
	pb, err1 := tokenEncoding.DecodeString(p64)
	sig, err2 := tokenEncoding.DecodeString(s64)
	if err1 != nil || err2 != nil {
		return errBadToken
	}
	ws, gen, exp, err := parse(string(pb))
	if err != nil {
		return err
	}
	k, err := okrcore.View(ctx, l.store, func(tx okrcore.Tx) (signingKey, error) { return readKey(tx, ws) })
	if okrcore.IsNotFound(err) {
		return errBadToken
	} else if err != nil {
		return fmt.Errorf("read the web signing key: %w", err)
	}
	if !hmac.Equal(sig, mac(k.Key, string(pb))) || gen != k.Gen || !l.now().Before(exp) {
		return errBadToken
	}
	return nil
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}

func readKey(tx okrcore.Tx, ws string) (signingKey, error) {
	var k signingKey
	b, err := tx.State(ws, keyState)
	if err != nil {
		return k, err
	}
	if err := json.Unmarshal(b, &k); err != nil || len(k.Key) < 32 {
		return k, fmt.Errorf("the web signing key of %s is damaged", ws)
	}
	return k, nil
}

func putKey(tx okrcore.Tx, ws string, gen int) error {
	k := signingKey{Gen: gen, Key: make([]byte, 32)}
	rand.Read(k.Key) // never fails (crypto/rand's contract since Go 1.24)
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	return tx.PutState(ws, keyState, b, time.Time{})
}
