package forms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
	"github.com/okrbot/okrbot/reply"
)

// ReadCheckIn reads a submitted check-in form of workspace ws: the key
// results it was built for (in its order), a check-in for each, and the
// answers refused. A key result that no longer exists refuses the whole
// form with a sentence (an error with Usage).
func ReadCheckIn(tx okrcore.Tx, ws string, vals map[string]string, refs []okrcore.Ref) ([]*okrcore.KeyResult, []okrcore.CheckInInput, Errors, error) {
	var fe Errors
	var conf *int
	if s := strings.TrimSpace(vals["confidence"]); s != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "/10"))
		if err != nil || n < 0 || n > 10 {
			fe.Add("confidence", fmt.Sprintf("Confidence is a whole number from 0 to 10; \"%s\" isn't.", chat.User(s)))
		}
		conf = &n
	}
	if utf8.RuneCountInString(strings.TrimSpace(vals["blockers"])) > okrcore.MaxNote {
		fe.Add("blockers", fmt.Sprintf("Keep blockers under %d characters.", okrcore.MaxNote))
	}
	var krs []*okrcore.KeyResult
	var inputs []okrcore.CheckInInput
	for _, ref := range refs {
		k, err := tx.KeyResult(ws, ref.ID)
		if okrcore.IsNotFound(err) {
			return nil, nil, fe, &refusal{fmt.Sprintf("%s no longer exists, so nothing was saved. `/okr form` opens a fresh form.", ref)}
		}
		if err != nil {
			return nil, nil, fe, err
		}
		id := ref.String()
		in := okrcore.CheckInInput{Target: okrcore.TargetKR, TargetID: k.ID, Confidence: conf, Note: vals[id+".note"], Blockers: vals["blockers"]}
		if utf8.RuneCountInString(strings.TrimSpace(in.Note)) > okrcore.MaxNote {
			fe.Add(id+".note", fmt.Sprintf("%s: keep the note under %d characters.", ref, okrcore.MaxNote))
		}
		if s := strings.TrimSpace(vals[id+".status"]); s != "" {
			st, ok := okrcore.ParseStatus(s)
			if !ok {
				fe.Add(id+".status", fmt.Sprintf("%s: \"%s\" is not a status.", ref, chat.User(s)))
			}
			in.Status = st
		}
		if s := strings.TrimSpace(vals[id+".value"]); s != "" {
			v, msg, err := Value(k, s)
			if err != nil {
				return nil, nil, fe, err
			}
			switch {
			case msg != "":
				fe.Add(id+".value", msg)
			case v != nil && okrcore.Implausible(k, *v) != "":
				// A form can't ask "are you sure?"; a message can.
				fe.Add(id+".value", fmt.Sprintf("%s If that's right, send `confirm %s %s` in a message.", okrcore.Implausible(k, *v), ref, s))
			}
			in.Value = v
		}
		krs = append(krs, k)
		inputs = append(inputs, in)
	}
	return krs, inputs, fe, nil
}

// Value reads the value typed for a key result in a form: the value, or
// why it is refused.
func Value(k *okrcore.KeyResult, s string) (*float64, string, error) {
	ref := k.Ref()
	up := reply.KRUpdate{Ref: ref.String(), Raw: s}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "done":
		t := true
		up.Done = &t
	case "not done":
		f := false
		up.Done = &f
	default:
		n, ok := reply.ParseNumber(s)
		if !ok {
			return nil, fmt.Sprintf("%s: I couldn't read \"%s\" as a number.", ref, chat.User(s)), nil
		}
		up.Value = &n
	}
	res, err := reply.Resolve([]reply.KRUpdate{up}, []*okrcore.KeyResult{k})
	if err != nil {
		var pe *reply.ParseError
		if errors.As(err, &pe) {
			return nil, pe.MessageWith(chat.User), nil
		}
		return nil, "", err
	}
	if len(res) == 1 && res[0].HasValue {
		v := res[0].Value
		return &v, "", nil
	}
	return nil, "", nil
}
