package slacktest

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// usersList answers users.list a page of limit people at a time, in id
// order, the next page named by an opaque cursor; f.mu is held.
func (f *Fake) usersList(w http.ResponseWriter, c Call) {
	ids := make([]string, 0, len(f.users))
	for id := range f.users {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	limit, err := strconv.Atoi(c.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 1000
	}
	from := 0
	if cur := c.Get("cursor"); cur != "" {
		b, err := base64.StdEncoding.DecodeString(cur)
		n, aerr := strconv.Atoi(strings.TrimPrefix(string(b), "user:"))
		if err != nil || aerr != nil || n > len(ids) {
			Write(w, map[string]any{"ok": false, "error": "invalid_cursor"})
			return
		}
		from = n
	}
	to := min(from+limit, len(ids))
	members := []map[string]any{}
	for _, id := range ids[from:to] {
		members = append(members, f.users[id].wire())
	}
	next := ""
	if to < len(ids) {
		next = base64.StdEncoding.EncodeToString([]byte("user:" + strconv.Itoa(to)))
	}
	Write(w, map[string]any{"ok": true, "members": members, "response_metadata": map[string]any{"next_cursor": next}})
}
