package teams

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/okrbot/okrbot/chat"
)

func TestConnectorCalls(t *testing.T) {
	f := newFakeConnector(t)
	c := NewConnector(testAppID, "secret", f.tokenURL(), ConnectorOptions{Backoff: time.Millisecond})
	ctx := t.Context()
	id, err := c.SendToConversation(ctx, f.serviceURL(), "19:abc@thread.tacv2;messageid=1", &Activity{Type: "message", Text: "hi"})
	if err != nil || id != "act-1" {
		t.Fatalf("send: %q %v", id, err)
	}
	id, err = c.ReplyToActivity(ctx, f.serviceURL(), "a:conv", "in-7", &Activity{Type: "message", Text: "re"})
	if err != nil || id != "act-2" {
		t.Fatalf("reply: %q %v", id, err)
	}
	if err := c.UpdateActivity(ctx, f.serviceURL(), "a:conv", "act-2", &Activity{Type: "message", Text: "edited"}); err != nil {
		t.Fatal(err)
	}
	conv, err := c.CreateConversation(ctx, f.serviceURL(), testTenant, "29:bob")
	if err != nil || conv != "a:dm-29:bob" {
		t.Fatalf("create: %q %v", conv, err)
	}
	cs := f.callList()
	if cs[0].Conversation != "19:abc@thread.tacv2;messageid=1" || cs[0].Body["text"] != "hi" {
		t.Errorf("send: %+v", cs[0])
	}
	if cs[1].Path != "/v3/conversations/a:conv/activities/in-7" || cs[1].Body["replyToId"] != "in-7" {
		t.Errorf("reply: %+v", cs[1])
	}
	if cs[2].Method != http.MethodPut || cs[2].ActivityID != "act-2" || cs[2].Body["id"] != "act-2" {
		t.Errorf("update: %+v", cs[2])
	}
	if cs[3].Body["tenantId"] != testTenant || cs[3].Body["bot"].(map[string]any)["id"] != "28:"+testAppID {
		t.Errorf("create: %s", cs[3].Raw)
	}
	if n := f.tokenFetches.Load(); n != 1 {
		t.Errorf("%d token fetches for 4 calls", n)
	}
	for _, c := range cs {
		if c.Auth != "Bearer tok-1" {
			t.Errorf("auth %q", c.Auth)
		}
	}
}

func TestConnectorTokenCacheAndRefresh(t *testing.T) {
	f := newFakeConnector(t)
	f.tokenLife = 3600
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := NewConnector(testAppID, "secret", f.tokenURL(), ConnectorOptions{Now: clock})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.SendToConversation(t.Context(), f.serviceURL(), "a:1", &Activity{Type: "message", Text: "x"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := f.tokenFetches.Load(); n != 1 {
		t.Fatalf("%d token fetches, want 1", n)
	}
	mu.Lock()
	now = now.Add(56 * time.Minute) // within 5 minutes of expiry
	mu.Unlock()
	if _, err := c.SendToConversation(t.Context(), f.serviceURL(), "a:1", &Activity{Type: "message"}); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenFetches.Load(); n != 2 {
		t.Fatalf("%d token fetches after expiry, want 2", n)
	}
	if cs := f.callList(); cs[len(cs)-1].Auth != "Bearer tok-2" {
		t.Errorf("old token used: %s", cs[len(cs)-1].Auth)
	}
}

func TestConnectorRetries(t *testing.T) {
	f := newFakeConnector(t)
	c := NewConnector(testAppID, "secret", f.tokenURL(), ConnectorOptions{Backoff: time.Millisecond, Retries: 3, MaxWait: 2 * time.Second})
	// 429 with Retry-After, then 502 and 412: retried, and the wait honoured.
	f.failNext(failure{429, "1"}, failure{502, ""}, failure{412, ""})
	start := time.Now()
	id, err := c.SendToConversation(t.Context(), f.serviceURL(), "a:1", &Activity{Type: "message"})
	if err != nil || id == "" {
		t.Fatalf("after retries: %q %v", id, err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("Retry-After 1 not honoured: %s", d)
	}
	// A 429 that outlasts the retries is a *bot.RateLimitError.
	f.failNext(failure{429, "0"}, failure{429, "0"}, failure{429, "0"}, failure{429, "0"})
	_, err = c.SendToConversation(t.Context(), f.serviceURL(), "a:1", &Activity{Type: "message"})
	var rl *chat.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("got %v, want a RateLimitError", err)
	}
	// A Retry-After longer than MaxWait is handed to the caller at once.
	f.failNext(failure{429, "120"})
	start = time.Now()
	_, err = c.SendToConversation(t.Context(), f.serviceURL(), "a:1", &Activity{Type: "message"})
	if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second || time.Since(start) > time.Second {
		t.Fatalf("got %v after %s", err, time.Since(start))
	}
	// A 400 is not retried.
	f.failNext(failure{400, ""})
	_, err = c.SendToConversation(t.Context(), f.serviceURL(), "a:1", &Activity{Type: "message"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("got %v", err)
	}
}

func TestConnectorFailuresDoNotPanic(t *testing.T) {
	c := NewConnector(testAppID, "secret", "http://127.0.0.1:1/token", ConnectorOptions{HTTPClient: &http.Client{Timeout: time.Second}, Backoff: time.Millisecond})
	if _, err := c.SendToConversation(t.Context(), "https://smba.example/", "a:1", &Activity{Type: "message"}); err == nil {
		t.Fatal("no error without a token endpoint")
	}
	f := newFakeConnector(t)
	bad := NewConnector(testAppID, "wrong", f.tokenURL(), ConnectorOptions{})
	if _, err := bad.Token(t.Context()); err == nil {
		t.Fatal("bad secret accepted")
	}
	good := NewConnector(testAppID, "secret", f.tokenURL(), ConnectorOptions{HTTPClient: &http.Client{Timeout: time.Second}, Backoff: time.Millisecond, Retries: 1})
	if _, err := good.SendToConversation(t.Context(), "http://127.0.0.1:1/", "a:1", &Activity{Type: "message"}); err == nil {
		t.Fatal("no error from an unreachable service URL")
	}
	if _, err := good.SendToConversation(t.Context(), "file:///etc/passwd", "a:1", &Activity{Type: "message"}); err == nil {
		t.Fatal("a non-http service URL was used")
	}
}
