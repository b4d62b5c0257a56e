package slack

import (
	"encoding/json"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// homeImages are the image blocks of a published Home view.
func homeImages(t *testing.T, view string) []map[string]any {
	t.Helper()
	var v struct {
		Type   string           `json:"type"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(view), &v); err != nil || v.Type != "home" {
		t.Fatalf("not a Home view (%v): %s", err, view)
	}
	var out []map[string]any
	for _, b := range v.Blocks {
		if b["type"] == "image" {
			out = append(out, b)
		}
	}
	return out
}

// The Home tab shows the person's chart: uploaded to no channel, then
// named by an image block as a Slack file; opened again with the same
// chart, it references the same file; a failed upload leaves the chart
// out and the Home tab is published all the same.
func TestHomeShowsTheChart(t *testing.T) {
	png := testPNG(t)
	draws := 0
	hs := newHarness(t, Options{}, func(ev chat.Event) (chat.Message, bool) {
		return chat.Message{Text: "Your OKRs", Blocks: []chat.Block{
			chat.Header{Text: "Your OKRs"},
			chat.ProgressBar{Ref: "KR4", Label: "KR4 Customers", Progress: 0.5, Detail: "▁▃▅ · 5 of 10"},
			chat.Image{Alt: "Your key results: 1 key result; KR4 " + chat.User("<@U9> *Customers*") + " is at 50%.", Title: "Your key results", InWords: true,
				Draw: func() ([]byte, error) { draws++; return png, nil }},
			chat.Actions{Buttons: []chat.Button{{Label: "Check in", Value: "checkin"}}},
		}}, true
	})
	open := func(id string) call {
		t.Helper()
		n := len(hs.fake.callsOf("views.publish"))
		hs.postEvent(eventBody(id, map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": id}))
		return hs.fake.waitCalls("views.publish", n+1)[n]
	}

	first := open("1.1")
	imgs := homeImages(t, first.get("view"))
	if len(imgs) != 1 {
		t.Fatalf("the Home view has %d image blocks, want 1: %s", len(imgs), first.get("view"))
	}
	sf, _ := imgs[0]["slack_file"].(map[string]any)
	id, _ := sf["id"].(string)
	file, ok := hs.fake.File(id)
	if !ok || !file.Completed || file.Channel != "" || file.Thread != "" || len(file.Data) != len(png) {
		t.Fatalf("the image names file %q: %+v (ok %v); want one uploaded, completed, shared in no channel", id, file, ok)
	}
	if alt, _ := imgs[0]["alt_text"].(string); !strings.Contains(alt, "<@U9> *Customers*") || strings.Contains(alt, "\u2060") {
		t.Errorf("alt_text %q: want the person's words as plain text", alt)
	}
	if v := first.get("view"); !strings.Contains(v, "▁▃▅") || strings.Index(v, `"type":"image"`) > strings.Index(v, `"type":"actions"`) {
		t.Errorf("the view lost its sparkline or its order: %s", v)
	}
	if _, ok := hs.fake.File("F000002"); ok {
		t.Errorf("more than one file uploaded")
	}

	again := open("1.2")
	if imgs := homeImages(t, again.get("view")); len(imgs) != 1 || imgs[0]["slack_file"].(map[string]any)["id"] != id {
		t.Errorf("opened again: %v, want the same file %s", imgs, id)
	}
	if n := len(hs.fake.callsOf("files.getUploadURLExternal")); n != 1 {
		t.Errorf("%d uploads for the same chart, want 1", n)
	}
	if draws != 2 {
		t.Errorf("the chart was drawn %d times for two views, want 2", draws)
	}

	// Another chart whose upload Slack refuses.
	png = append(append([]byte(nil), png...), 0)
	hs.fake.failNext("files.getUploadURLExternal", reply{status: 200, body: `{"ok":false,"error":"missing_scope"}`})
	failed := open("1.3")
	if imgs := homeImages(t, failed.get("view")); len(imgs) != 0 {
		t.Errorf("a failed upload still shows an image: %v", imgs)
	}
	if !strings.Contains(failed.get("view"), "KR4") {
		t.Errorf("the Home view without its chart lost its bars: %s", failed.get("view"))
	}
}

// A Home view naming a file the fake does not have is refused, as Slack
// refuses one whose image the bot cannot reach.
func TestHomeRefusedForAnUnknownFile(t *testing.T) {
	a, _ := sender(t)
	m := chat.Message{Blocks: []chat.Block{chat.Image{Alt: "a chart", PNG: []byte("x")}}}
	v := renderHome(m, map[int]string{0: "F404"})
	_, err := a.api.PublishViewContext(t.Context(), slackapi.PublishViewContextRequest{UserID: "U1", View: v})
	if err == nil || !strings.Contains(err.Error(), "invalid_blocks") {
		t.Errorf("publishing an unknown file: %v, want invalid_blocks", err)
	}
}
