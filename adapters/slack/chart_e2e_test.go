package slack

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/adapters/slack/slacktest"
	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

// TestDigestChartSent: the team digest as report composes it goes out
// through Send with its burn-up shared in its thread, the chart's words
// (naming the at-risk objective) on the file and in the message; when the
// upload fails the digest is out all the same.
func TestDigestChartSent(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	k.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	digest := k.Ask("alice", "/okr digest")
	if len(chat.Images(digest.Blocks)) != 1 {
		t.Fatalf("the digest has no chart:\n%s", bottest.Text(digest))
	}
	const atRisk = "Build a repeatable sales playbook, at risk,"
	for _, fail := range []bool{false, true} {
		f := newFakeSlack(t)
		var logs bytes.Buffer
		a, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, APIURL: f.apiURL()},
			Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if fail {
			f.failNext(slacktest.Upload, reply{status: 500})
		}
		ref, err := a.Send(t.Context(), chat.Conversation{ID: "C1"}, digest)
		if err != nil {
			t.Fatalf("upload failing %v: the digest's send failed: %v", fail, err)
		}
		posts := f.callsOf("chat.postMessage")
		if len(posts) != 1 || !strings.Contains(posts[0].get("blocks"), atRisk) {
			t.Fatalf("upload failing %v: %d posts, want the digest once with the chart's words", fail, len(posts))
		}
		urls, done := f.callsOf("files.getUploadURLExternal"), f.callsOf("files.completeUploadExternal")
		if len(urls) != 1 || !strings.Contains(urls[0].get("alt_txt"), atRisk) {
			t.Errorf("upload failing %v: %d upload URLs asked, want one with the chart's words", fail, len(urls))
		}
		switch {
		case fail && len(done) != 0:
			t.Errorf("%d completions after a failed upload", len(done))
		case !fail && (len(done) != 1 || done[0].get("thread_ts") != ref.ID):
			t.Errorf("completions %+v, want one in the digest's thread %s", done, ref.ID)
		}
	}
}
