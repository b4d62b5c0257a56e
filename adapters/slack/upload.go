package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/okrbot/okrbot/chat"
)

// maxAlt is the longest alt text Slack takes for a file (alt_txt_too_large
// above it), in characters.
const maxAlt = 1000

// Image is a picture to share, such as a digest's chart: its PNG bytes,
// a file name, a title shown above it, and the words that say what it
// shows for whoever cannot see it.
type Image struct {
	Name  string
	Title string
	Alt   string
	PNG   []byte
}

// UploadImage shares img in channel (in the thread of the message thread,
// unless it is "") with Slack's external-upload flow: files.getUploadURLExternal
// announces it, its bytes are posted to the URL that returns, and
// files.completeUploadExternal shares it. It returns the file's id, which
// an image block can name. The files:write scope is needed.
func (a *Adapter) UploadImage(ctx context.Context, channel, thread string, img Image) (string, error) {
	if len(img.PNG) == 0 {
		return "", errors.New("slack upload: the image is empty")
	}
	if img.Name == "" {
		img.Name = "chart.png"
	}
	got, err := a.api.GetUploadURLExternalContext(ctx, slackapi.GetUploadURLExternalParameters{
		FileName: img.Name, FileSize: len(img.PNG), AltTxt: truncate(img.Alt, maxAlt)})
	if err != nil {
		return "", a.apiError("files.getUploadURLExternal", err)
	}
	if got.FileID == "" {
		return "", errors.New("slack files.getUploadURLExternal: no file id in the answer")
	}
	if err := a.postBytes(ctx, got.UploadURL, img.PNG); err != nil {
		return "", err
	}
	_, err = a.api.CompleteUploadExternalContext(ctx, slackapi.CompleteUploadExternalParameters{
		Files: []slackapi.FileSummary{{ID: got.FileID, Title: img.Title}}, Channel: channel, ThreadTimestamp: thread})
	if err != nil {
		return "", a.apiError("files.completeUploadExternal", err)
	}
	return got.FileID, nil
}

// postBytes posts data, raw, to an upload URL Slack gave.
func (a *Adapter) postBytes(ctx context.Context, to string, data []byte) error {
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("slack upload: Slack gave no usable upload URL (%q)", to)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("slack upload: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := a.opts.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("slack upload: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusTooManyRequests {
		return &chat.RateLimitError{RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("slack upload: the upload URL answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// shareImages shares a sent message's pictures in its thread, after it:
// they are extra, so one that cannot be uploaded is logged and the message
// stays sent, never sent again for its picture. Its words are in the
// message already (render.go).
func (a *Adapter) shareImages(ctx context.Context, ref chat.SentRef, imgs []chat.Image) {
	for i, img := range imgs {
		name := fmt.Sprintf("chart-%d.png", i+1)
		if _, err := a.UploadImage(ctx, ref.Conversation, ref.ID, Image{Name: name, Title: chat.PlainText(img.Title), Alt: chat.PlainText(img.Alt), PNG: img.PNG}); err != nil {
			a.log.WarnContext(ctx, "slack: the message went out without its image", "channel", ref.Conversation, "file", name, "err", err)
		}
	}
}

// retryAfter reads a Retry-After in seconds, one second when it says
// nothing usable.
func retryAfter(h string) time.Duration {
	if n, err := strconv.Atoi(h); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Second
}
