package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// api calls method on f with a form and returns Slack's JSON answer.
func api(t *testing.T, f *Fake, method string, form url.Values) map[string]any {
	t.Helper()
	form.Set("token", BotToken)
	resp, err := http.PostForm(f.APIURL()+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// upload posts body to an upload URL and returns the status.
func upload(t *testing.T, to, body string) int {
	t.Helper()
	resp, err := http.Post(to, "application/octet-stream", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestExternalUpload: the fake's upload flow takes a file announced,
// posted at its length and completed, and refuses each step done wrong.
func TestExternalUpload(t *testing.T) {
	f := New(Options{})
	defer f.Close()
	for _, tc := range []struct {
		name string
		form url.Values
		err  string
	}{
		{"no filename", url.Values{"length": {"3"}}, "invalid_arguments"},
		{"no length", url.Values{"filename": {"a.png"}}, "invalid_arguments"},
		{"zero length", url.Values{"filename": {"a.png"}, "length": {"0"}}, "missing_argument"},
		{"length not a number", url.Values{"filename": {"a.png"}, "length": {"x"}}, "missing_argument"},
		{"alt text too long", url.Values{"filename": {"a.png"}, "length": {"3"}, "alt_txt": {strings.Repeat("a", 1001)}}, "alt_txt_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := api(t, f, "files.getUploadURLExternal", tc.form); got["ok"] != false || got["error"] != tc.err {
				t.Errorf("answer %v, want %s", got, tc.err)
			}
		})
	}

	got := api(t, f, "files.getUploadURLExternal", url.Values{"filename": {"a.png"}, "length": {"3"}, "alt_txt": {"a chart"}})
	id, _ := got["file_id"].(string)
	to, _ := got["upload_url"].(string)
	if got["ok"] != true || id == "" || to == "" {
		t.Fatalf("answer %v", got)
	}
	files := func(id string) url.Values {
		return url.Values{"files": {`[{"id":"` + id + `","title":"T"}]`}, "channel_id": {"C1"}}
	}
	if got := api(t, f, "files.completeUploadExternal", files(id)); got["error"] != "file_not_found" {
		t.Errorf("completed before its bytes: %v", got)
	}
	if s := upload(t, to, "toolong"); s != http.StatusBadRequest {
		t.Errorf("a wrong length answered %d", s)
	}
	if s := upload(t, f.Server.URL+"/upload/F999", "abc"); s != http.StatusNotFound {
		t.Errorf("an unknown file answered %d", s)
	}
	if s := upload(t, to, "abc"); s != http.StatusOK {
		t.Fatalf("the upload answered %d", s)
	}
	for _, bad := range []url.Values{{"files": {"not json"}}, {"files": {"[]"}}, files("F999")} {
		if got := api(t, f, "files.completeUploadExternal", bad); got["ok"] != false {
			t.Errorf("completed %v: %v", bad, got)
		}
	}
	if got := api(t, f, "files.completeUploadExternal", files(id)); got["ok"] != true {
		t.Fatalf("complete: %v", got)
	}
	file, ok := f.File(id)
	if !ok || string(file.Data) != "abc" || !file.Completed || file.Channel != "C1" || file.Title != "T" || file.Alt != "a chart" {
		t.Errorf("file %+v", file)
	}
	if _, ok := f.File("F999"); ok {
		t.Error("an unknown file was found")
	}
}
