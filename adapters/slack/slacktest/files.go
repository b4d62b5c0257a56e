package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// File is a file uploaded to the fake with the external-upload flow:
// files.getUploadURLExternal, a POST of its bytes to the upload URL, and
// files.completeUploadExternal.
type File struct {
	ID, Name, Alt string
	Length        int    // as files.getUploadURLExternal was told
	Data          []byte // as posted to the upload URL (nil before)
	Uploaded      bool
	// Set by files.completeUploadExternal.
	Completed       bool
	Title           string
	Channel, Thread string
}

// Upload is the method name a POST to an upload URL is recorded under, and
// the one FailNext takes to make the next such POST answer a Reply.
const Upload = "upload"

// File returns the file with id, ok false when none was asked for.
func (f *Fake) File(id string) (File, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.files[id]
	if !ok {
		return File{}, false
	}
	return *p, true
}

// answerFiles answers the external-upload methods, false for any other
// method; f.mu is held.
func (f *Fake) answerFiles(w http.ResponseWriter, c Call) bool {
	switch c.Method {
	case "files.getUploadURLExternal":
		n, err := strconv.Atoi(c.Get("length"))
		switch {
		case c.Get("filename") == "" || c.Get("length") == "":
			Write(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		case err != nil || n <= 0:
			Write(w, map[string]any{"ok": false, "error": "missing_argument"})
		case len([]rune(c.Get("alt_txt"))) > 1000:
			Write(w, map[string]any{"ok": false, "error": "alt_txt_too_large"})
		default:
			if f.files == nil {
				f.files = map[string]*File{}
			}
			id := fmt.Sprintf("F%06d", len(f.files)+1)
			f.files[id] = &File{ID: id, Name: c.Get("filename"), Alt: c.Get("alt_txt"), Length: n}
			Write(w, map[string]any{"ok": true, "file_id": id, "upload_url": f.Server.URL + "/upload/" + id})
		}
	case "files.completeUploadExternal":
		f.completeUpload(w, c)
	default:
		return false
	}
	return true
}

// completeUpload shares the uploaded files; f.mu is held.
func (f *Fake) completeUpload(w http.ResponseWriter, c Call) {
	var sums []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(c.Get("files")), &sums); err != nil || len(sums) == 0 {
		Write(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	for _, s := range sums {
		p, ok := f.files[s.ID]
		if !ok || !p.Uploaded {
			Write(w, map[string]any{"ok": false, "error": "file_not_found"})
			return
		}
	}
	out := make([]map[string]any, 0, len(sums))
	for _, s := range sums {
		p := f.files[s.ID]
		p.Completed, p.Title, p.Channel, p.Thread = true, s.Title, c.Get("channel_id"), c.Get("thread_ts")
		out = append(out, map[string]any{"id": s.ID, "title": s.Title})
	}
	Write(w, map[string]any{"ok": true, "files": out})
}

// serveUpload takes a file's bytes at its upload URL, as Slack's upload
// service does: 200 with "OK - <length>", 404 for an unknown file, 400
// when the length is not the one announced.
func (f *Fake) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	f.Record(Call{Method: Upload, JSON: map[string]any{"file_id": id, "length": len(body), "content_type": r.Header.Get("Content-Type")}})
	f.mu.Lock()
	defer f.mu.Unlock()
	if q := f.replies[Upload]; len(q) > 0 {
		rp := q[0]
		f.replies[Upload] = q[1:]
		w.WriteHeader(rp.Status)
		_, _ = io.WriteString(w, rp.Body)
		return
	}
	p, ok := f.files[id]
	switch {
	case r.Method != http.MethodPost:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	case !ok:
		http.Error(w, "no such upload", http.StatusNotFound)
	case len(body) != p.Length:
		http.Error(w, fmt.Sprintf("length %d, announced %d", len(body), p.Length), http.StatusBadRequest)
	default:
		p.Data, p.Uploaded = body, true
		_, _ = fmt.Fprintf(w, "OK - %d", len(body))
	}
}

// viewFilesOK says whether every image block of a view that names a Slack
// file names one uploaded and completed, as Slack refuses a view whose
// image the bot has no access to (invalid_blocks); f.mu is held.
func (f *Fake) viewFilesOK(view string) bool {
	var v struct {
		Blocks []struct {
			Type      string `json:"type"`
			SlackFile *struct {
				ID  string `json:"id"`
				URL string `json:"url"`
			} `json:"slack_file"`
		} `json:"blocks"`
	}
	if view == "" || json.Unmarshal([]byte(view), &v) != nil {
		return true // views.open's other checks are not the fake's
	}
	for _, b := range v.Blocks {
		if b.Type != "image" || b.SlackFile == nil {
			continue
		}
		p, ok := f.files[b.SlackFile.ID]
		if b.SlackFile.URL != "" || !ok || !p.Completed {
			return false
		}
	}
	return true
}
