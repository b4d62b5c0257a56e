package slacktest

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// socket is Socket Mode's side of the fake: one websocket at a time.
type socket struct {
	mu     sync.Mutex
	conn   *websocket.Conn
	ready  chan struct{} // closed when the first connection said hello
	acks   chan map[string]any
	opened atomic.Int32
}

func (s *socket) init() {
	s.ready = make(chan struct{})
	s.acks = make(chan map[string]any, 100)
}

func (s *socket) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		_ = s.conn.Close()
	}
}

// serveWS is Socket Mode's websocket: it says hello, then the caller sends
// envelopes with SendEnvelope and reads the acks from Acks.
func (f *Fake) serveWS(w http.ResponseWriter, r *http.Request) {
	s := &f.ws
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.opened.Add(1)
	s.mu.Lock()
	s.conn = conn
	err = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"debug_info": map[string]any{"host": "applink-test"}, "connection_info": map[string]any{"app_id": "A1"}})
	s.mu.Unlock()
	if err != nil {
		return
	}
	select {
	case <-s.ready:
	default:
		close(s.ready)
	}
	for {
		var ack map[string]any
		if err := conn.ReadJSON(&ack); err != nil {
			return
		}
		s.acks <- ack
	}
}

// Opened is how many Socket Mode connections were opened.
func (f *Fake) Opened() int32 { return f.ws.opened.Load() }

// Acks receives the acks of envelopes, as the adapter sent them.
func (f *Fake) Acks() <-chan map[string]any { return f.ws.acks }

// SendEnvelope sends a Socket Mode envelope of a type with a payload, once
// the adapter is connected (waiting up to wait for it).
func (f *Fake) SendEnvelope(id, typ string, retry int, payload any, wait time.Duration) error {
	s := &f.ws
	select {
	case <-s.ready:
	case <-time.After(wait):
		return errors.New("the adapter never connected to the Socket Mode websocket")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ != "events_api",
		"retry_attempt": retry, "retry_reason": ""}
	if retry > 0 {
		env["retry_reason"] = "timeout"
	}
	if err := s.conn.WriteJSON(env); err != nil {
		return fmt.Errorf("write envelope: %w", err)
	}
	return nil
}
