package main

import (
	"encoding/json"

	"github.com/okrbot/okrbot/chat"
)

// text is everything a message says, as JSON, for checking that an answer
// is the one asked for.
func text(m chat.Message) string {
	b, _ := json.Marshal(m)
	return string(b)
}
