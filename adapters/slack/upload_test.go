package slack

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/chat"
)

// testPNG is a small real PNG.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	img.Set(1, 1, color.RGBA{0, 0x72, 0xB2, 0xFF})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadImage(t *testing.T) {
	a, f := sender(t)
	data := testPNG(t)
	img := Image{Name: "sales.png", Title: "Sales this cycle", Alt: "Sales: 3 objectives; Grow ARR is at 40%", PNG: data}
	id, err := a.UploadImage(t.Context(), "C1", "1700000000.000001", img)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.methods(), ","), "files.getUploadURLExternal,upload,files.completeUploadExternal"; got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
	file, ok := f.File(id)
	if !ok {
		t.Fatalf("the fake has no file %q", id)
	}
	want := slacktest.File{ID: id, Name: "sales.png", Alt: img.Alt, Length: len(data), Data: data, Uploaded: true,
		Completed: true, Title: "Sales this cycle", Channel: "C1", Thread: "1700000000.000001"}
	if !bytes.Equal(file.Data, want.Data) || file.Name != want.Name || file.Alt != want.Alt || file.Length != want.Length ||
		!file.Completed || file.Title != want.Title || file.Channel != want.Channel || file.Thread != want.Thread {
		t.Errorf("file %+v\nwant %+v", file, want)
	}
	if ct := f.callsOf(slacktest.Upload)[0].get("content_type"); ct != "application/octet-stream" {
		t.Errorf("uploaded as %q, want raw bytes", ct)
	}

	t.Run("no thread, no name, an alt text over Slack's limit", func(t *testing.T) {
		id, err := a.UploadImage(t.Context(), "C1", "", Image{Alt: strings.Repeat("é", 1500), PNG: data})
		if err != nil {
			t.Fatal(err)
		}
		file, _ := f.File(id)
		if file.Thread != "" || file.Name != "chart.png" {
			t.Errorf("file %+v, want no thread and chart.png", file)
		}
		if n := len([]rune(file.Alt)); n != maxAlt || !strings.HasSuffix(file.Alt, "…") {
			t.Errorf("alt text of %d characters, want %d ending in …", n, maxAlt)
		}
	})
}

func TestUploadImageRefused(t *testing.T) {
	const get, complete = "files.getUploadURLExternal", "files.completeUploadExternal"
	ok := func(url string) reply {
		return reply{status: 200, body: `{"ok":true,"file_id":"F9","upload_url":"` + url + `"}`}
	}
	tests := []struct {
		name    string
		empty   bool
		fail    map[string]reply
		code    string // Slack's error code, for an *APIError
		limited bool   // a *chat.RateLimitError
		says    string // in the error otherwise
		calls   string
	}{
		{name: "empty image", empty: true, says: "the image is empty", calls: ""},
		{name: "uploads disabled", fail: map[string]reply{get: {status: 200, body: `{"ok":false,"error":"file_uploads_disabled"}`}},
			code: "file_uploads_disabled", calls: get},
		{name: "missing scope", fail: map[string]reply{get: {status: 200, body: `{"ok":false,"error":"missing_scope","needed":"files:write"}`}},
			code: "missing_scope", says: "files:write", calls: get},
		{name: "rate limited", fail: map[string]reply{get: {status: 429, retryAfter: "3", body: `{"ok":false,"error":"ratelimited"}`}},
			limited: true, calls: get},
		{name: "server error", fail: map[string]reply{get: {status: 500, body: `oops`}}, says: "files.getUploadURLExternal", calls: get},
		{name: "not JSON", fail: map[string]reply{get: {status: 200, body: `<html>`}}, says: "files.getUploadURLExternal", calls: get},
		{name: "no file id", fail: map[string]reply{get: {status: 200, body: `{"ok":true,"upload_url":"http://127.0.0.1/x"}`}},
			says: "no file id", calls: get},
		{name: "unusable upload URL", fail: map[string]reply{get: ok("ftp://files.example/up")}, says: "no usable upload URL", calls: get},
		{name: "upload answers 500", fail: map[string]reply{slacktest.Upload: {status: 500, body: "no"}},
			says: "HTTP 500", calls: get + ",upload"},
		{name: "upload rate limited", fail: map[string]reply{slacktest.Upload: {status: 429, retryAfter: "2"}},
			limited: true, calls: get + ",upload"},
		{name: "complete refused", fail: map[string]reply{complete: {status: 200, body: `{"ok":false,"error":"file_not_found"}`}},
			code: "file_not_found", calls: get + ",upload," + complete},
		{name: "complete server error", fail: map[string]reply{complete: {status: 502, body: "bad gateway"}},
			says: "files.completeUploadExternal", calls: get + ",upload," + complete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, f := sender(t)
			for m, r := range tt.fail {
				f.failNext(m, r)
			}
			img := Image{Name: "c.png", Alt: "a chart", PNG: testPNG(t)}
			if tt.empty {
				img.PNG = nil
			}
			_, err := a.UploadImage(t.Context(), "C1", "", img)
			if err == nil {
				t.Fatal("no error")
			}
			var api *APIError
			var rl *chat.RateLimitError
			switch {
			case tt.code != "":
				if !errors.As(err, &api) || api.Code != tt.code {
					t.Errorf("error %v, want Slack's %s", err, tt.code)
				}
			case tt.limited:
				if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
					t.Errorf("error %v, want a rate limit with a wait", err)
				}
			}
			if tt.says != "" && !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			if got := strings.Join(f.methods(), ","); got != tt.calls {
				t.Errorf("calls %q, want %q", got, tt.calls)
			}
		})
	}
}

// TestUploadImageTimeout: an upload URL that never answers ends with the
// caller's deadline, wrapped, and nothing is shared.
func TestUploadImageTimeout(t *testing.T) {
	a, f := sender(t)
	release := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(stuck.Close)
	t.Cleanup(func() { close(release) })
	f.failNext("files.getUploadURLExternal", reply{status: 200, body: `{"ok":true,"file_id":"F9","upload_url":"` + stuck.URL + `/up"}`})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := a.UploadImage(ctx, "C1", "", Image{PNG: testPNG(t)})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "slack upload: ") {
		t.Fatalf("error %v, want the deadline, wrapped", err)
	}
	if n := len(f.callsOf("files.completeUploadExternal")); n != 0 {
		t.Errorf("%d completions after a failed upload", n)
	}
}

// TestSendImages: a message's pictures are shared in its thread after it,
// their words in the message; a picture that cannot be uploaded leaves the
// message sent, once, and is logged.
func TestSendImages(t *testing.T) {
	tests := []struct {
		name   string
		fail   map[string]reply
		shared bool
	}{
		{name: "shared in the thread", shared: true},
		{name: "upload fails, the message is out", fail: map[string]reply{slacktest.Upload: {status: 500}}},
		{name: "uploads disabled, the message is out",
			fail: map[string]reply{"files.getUploadURLExternal": {status: 200, body: `{"ok":false,"error":"file_uploads_disabled"}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			var logs bytes.Buffer
			a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()},
				Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			for m, r := range tt.fail {
				f.failNext(m, r)
			}
			msg := chat.Message{Text: "Sales digest", Blocks: []chat.Block{chat.Section{Text: "Grow ARR ▁▂▃▅ 40%"},
				chat.Image{PNG: testPNG(t), Alt: "Sales: 1 objective; Grow ARR is at 40%", Title: "Sales"}, chat.Image{Alt: "no picture"}}}
			ref, err := a.Send(t.Context(), chat.Conversation{ID: "C1"}, msg)
			if err != nil {
				t.Fatalf("the message's send failed for its image: %v", err)
			}
			posts := f.callsOf("chat.postMessage")
			if len(posts) != 1 || ref.ID == "" {
				t.Fatalf("%d posts, ref %+v; want the message once", len(posts), ref)
			}
			if b := posts[0].get("blocks"); !strings.Contains(b, `"type":"context"`) || !strings.Contains(b, "Grow ARR is at 40%") {
				t.Errorf("the picture's words are not in the message: %s", b)
			}
			done := f.callsOf("files.completeUploadExternal")
			if tt.shared {
				if len(done) != 1 || done[0].get("thread_ts") != ref.ID || done[0].get("channel_id") != ref.Conversation ||
					!strings.Contains(done[0].get("files"), `"title":"Sales"`) {
					t.Errorf("completions %+v, want one in the thread of %+v (an empty picture is not uploaded)", done, ref)
				}
				return
			}
			if len(done) != 0 {
				t.Errorf("%d completions after a failure", len(done))
			}
			if !strings.Contains(logs.String(), "without its image") {
				t.Errorf("the failure was not logged: %s", logs.String())
			}
		})
	}
}
