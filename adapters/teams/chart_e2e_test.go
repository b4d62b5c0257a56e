package teams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/okrbot/okrbot/bot/bottest"
	"github.com/okrbot/okrbot/chat"
)

// TestDigestChartSent: the team digest as report composes it goes out
// with its burn-up inline in the card when small; a chart too large to
// inline leaves its words in its place.
func TestDigestChartSent(t *testing.T) {
	k := bottest.New(t, bottest.Demo())
	k.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	digest := k.Ask("alice", "/okr digest")
	imgs := chat.Images(digest.Blocks)
	if len(imgs) != 1 || len(imgs[0].PNG) == 0 {
		t.Fatalf("the digest has no chart:\n%s", bottest.Text(digest))
	}
	big := digest
	big.Blocks = nil
	for _, b := range digest.Blocks {
		if img, ok := b.(chat.Image); ok {
			img.PNG = append(bytes.Clone(img.PNG), make([]byte, MaxInlineImage)...)
			b = img
		}
		big.Blocks = append(big.Blocks, b)
	}
	const atRisk = "Build a repeatable sales playbook, at risk,"
	tests := []struct {
		name    string
		m       chat.Message
		host    *fakeImages
		inlined bool
		address bool
	}{
		{"small: inline", digest, nil, true, false},
		{"small with a host: inline all the same", digest, &fakeImages{}, true, false},
		{"too large: its words", big, nil, false, false},
		{"too large with a host: its address", big, &fakeImages{}, false, true},
		{"too large, the host failing: its words", big, &fakeImages{fail: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := startHarness(t, &recHandler{}, func(o *Options) {
				o.MaxWait = 2 * time.Second
				if tt.host != nil {
					o.Images = tt.host
				}
			})
			hs.a.opts.ServiceURL = hs.conn.serviceURL()
			if _, err := hs.a.Send(t.Context(), chat.Conversation{ID: "19:sales@thread.tacv2"}, tt.m); err != nil {
				t.Fatal(err)
			}
			var raw strings.Builder
			for _, c := range hs.conn.callList() {
				raw.WriteString(c.Raw)
			}
			got := raw.String()
			if inl := strings.Contains(got, `"url":"data:image/png;base64,`); inl != tt.inlined {
				t.Errorf("inline image %v, want %v", inl, tt.inlined)
			}
			if addr := strings.Contains(got, `"url":"https://okrbot.example.test/okr/img/`); addr != tt.address {
				t.Errorf("image by address %v, want %v", addr, tt.address)
			}
			if tt.address && len(tt.host.kept) != 1 {
				t.Errorf("the host kept %d pictures, want the chart", len(tt.host.kept))
			}
			if !strings.Contains(got, atRisk) {
				t.Errorf("the card lacks the chart's words %q", atRisk)
			}
		})
	}
}

// fakeImages is an ImageHost that keeps pictures in memory.
type fakeImages struct {
	kept [][]byte
	fail bool
}

func (f *fakeImages) ImageURL(_ context.Context, png []byte) (string, error) {
	if f.fail {
		return "", errors.New("store down")
	}
	f.kept = append(f.kept, png)
	return fmt.Sprintf("https://okrbot.example.test/okr/img/T%d.png", len(f.kept)), nil
}
