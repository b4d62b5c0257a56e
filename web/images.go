package web

// Pictures served at signed, expiring addresses, for chat cards that show
// an image by its address (a Teams card too large to carry its chart
// inline): the picture is kept in a State slot of its workspace under its
// hash, and its address carries a token signed with the workspace's key
// (links.go) that names the workspace, the hash and the expiry. The token
// is the only key: Teams fetches a card's image without okrbot's cookie.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/okrbot/okrbot/okrcore"
)

// ImageTTL is how long a picture's address works: a digest is read in the
// days after it arrives, and a card scrolled back to later shows the
// picture's frame empty rather than an old picture for ever.
const ImageTTL = 14 * 24 * time.Hour

// maxImage is the largest picture kept (a chart is 15 to 40 KB).
const maxImage = 512 * 1024

// imageKey is the State slot of a picture by its hash; it expires with
// the address.
func imageKey(hash string) string { return "web:img:" + hash }

// Images keeps one workspace's pictures and signs their addresses.
type Images struct {
	links *Links
	ws    string
}

// Images returns the picture host of ws.
func (l *Links) Images(ws string) *Images { return &Images{links: l, ws: ws} }

// ImageURL keeps png and returns its address under the public URL, valid
// ImageTTL.
func (im *Images) ImageURL(ctx context.Context, png []byte) (string, error) {
	if len(png) == 0 || len(png) > maxImage {
		return "", fmt.Errorf("web image: %d bytes, at most %d", len(png), maxImage)
	}
	sum := sha256.Sum256(png)
	hash := hex.EncodeToString(sum[:16])
	exp := im.links.now().Add(ImageTTL).Truncate(time.Second)
	err := im.links.store.Update(ctx, func(tx okrcore.Tx) error { return tx.PutState(im.ws, imageKey(hash), png, exp) })
	if err != nil {
		return "", fmt.Errorf("keep a web image: %w", err)
	}
	tok, err := im.links.signPayload(ctx, im.ws, func(gen int) string { return imagePayload(im.ws, hash, exp, gen) })
	if err != nil {
		return "", err
	}
	return im.links.public.String() + "/okr/img/" + tok + ".png", nil
}

// imagePayload starts with "img", which parseClaims refuses: a picture's
// token opens no session, and a session's shows no picture.
func imagePayload(ws, hash string, exp time.Time, gen int) string {
	return strings.Join([]string{"img", ws, hash, strconv.FormatInt(exp.Unix(), 10), strconv.Itoa(gen)}, "|")
}

func parseImagePayload(p string) (ws, hash string, gen int, exp time.Time, err error) {
	f := strings.Split(p, "|")
	if len(f) != 5 || f[0] != "img" || f[1] == "" || len(f[2]) != 32 {
		return "", "", 0, time.Time{}, errBadToken
	}
	if _, err := hex.DecodeString(f[2]); err != nil {
		return "", "", 0, time.Time{}, errBadToken
	}
	sec, err1 := strconv.ParseInt(f[3], 10, 64)
	gen, err2 := strconv.Atoi(f[4])
	if err1 != nil || err2 != nil {
		return "", "", 0, time.Time{}, errBadToken
	}
	return f[1], f[2], gen, time.Unix(sec, 0), nil
}

// image serves a picture by its signed address: a forged, expired or
// revoked one (`/okr web revoke` ends them with the links) is not found.
func (h *Handler) image(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutSuffix(r.PathValue("tok"), ".png")
	var ws, hash string
	var exp time.Time
	err := errBadToken
	if ok {
		err = h.links.verifyPayload(r.Context(), tok, func(p string) (string, int, time.Time, error) {
			var gen int
			var err error
			ws, hash, gen, exp, err = parseImagePayload(p)
			return ws, gen, exp, err
		})
	}
	var png []byte
	if err == nil {
		png, err = okrcore.View(r.Context(), h.store, func(tx okrcore.Tx) ([]byte, error) { return tx.State(ws, imageKey(hash)) })
	}
	switch {
	case errors.Is(err, errBadToken) || okrcore.IsNotFound(err):
		http.Error(w, "No such picture: its address has expired or is not valid.", http.StatusNotFound)
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "web image", "workspace", ws, "err", err)
		http.Error(w, "okrbot could not read this picture. Try again in a moment.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "image/png")
	hd.Set("Cache-Control", "private, max-age="+strconv.Itoa(max(0, int(exp.Sub(h.now()).Seconds()))))
	// A picture is fetched by the chat client that shows the card; it may
	// be embedded anywhere, but runs nothing.
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	_, _ = w.Write(png)
}
