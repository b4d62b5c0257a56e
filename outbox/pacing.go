package outbox

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/okrbot/okrbot/chat"
	"github.com/okrbot/okrbot/okrcore"
)

// pacingOf is the pacing of a platform.
func (d *Dispatcher) pacingOf(platform string) chat.Pacing {
	if pc, ok := d.pacings[platform]; ok {
		return pc
	}
	return d.pacing
}

// paceOf is the learned pace of a workspace on one platform: Slack and
// Teams limit a bot separately, so one organisation on both gets both
// budgets.
func (d *Dispatcher) paceOf(rt route) *pace {
	key := rt.platform + "|" + rt.ws
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.paces[key]
	if !ok {
		p = newPace(d.pacingOf(rt.platform))
		d.paces[key] = p
		d.paceByPlatform[rt.platform] = append(d.paceByPlatform[rt.platform], p)
	}
	return p
}

// gateOf is a conversation's gate, held for the caller until release. Gates
// of conversations that are idle are forgotten now and then, so that a
// long-running process does not keep one for everyone it ever wrote to.
func (d *Dispatcher) gateOf(rt route, conv string) *heldGate {
	key := rt.platform + "|" + rt.ws + "|" + conv
	d.mu.Lock()
	defer d.mu.Unlock()
	h, ok := d.gates[key]
	if !ok {
		if len(d.gates) >= d.gatesSwept+gateSweep {
			d.sweepGates()
		}
		h = &heldGate{gate: newGate(d.pacingOf(rt.platform).PerConversation)}
		d.gates[key] = h
	}
	h.users++
	return h
}

// gateSweep is how many gates may be added between two sweeps.
const gateSweep = 4096

// sweepGates forgets the gates nobody holds whose spacing has passed;
// d.mu is held.
func (d *Dispatcher) sweepGates() {
	now := time.Now()
	for k, h := range d.gates {
		if h.users == 0 && h.idle(now) {
			delete(d.gates, k)
		}
	}
	d.gatesSwept = len(d.gates)
}

// heldGate is a gate and how many sends hold it (guarded by Dispatcher.mu).
type heldGate struct {
	*gate
	users int
}

func (d *Dispatcher) releaseGate(h *heldGate) {
	d.mu.Lock()
	h.users--
	d.mu.Unlock()
}

// ticket is a send let go by its conversation's gate and its workspace's
// pace; done reports how it went to both.
type ticket struct {
	d       *Dispatcher
	pace    *pace
	gate    *heldGate
	started time.Time
	paced   bool // the send waited for its slot
}

// wait returns when a message to conv may leave: its conversation free and
// spaced, then a slot of the workspace's pace. The conversation is entered
// first so that a slot of the workspace is not spent waiting for it.
func (d *Dispatcher) wait(ctx context.Context, rt route, conv string) (*ticket, error) {
	g := d.gateOf(rt, conv)
	if err := g.enter(ctx); err != nil {
		d.releaseGate(g)
		return nil, err
	}
	p := d.paceOf(rt)
	started, paced, err := p.wait(ctx)
	if err != nil {
		g.leave(time.Time{}, false, 0)
		d.releaseGate(g)
		return nil, err
	}
	return &ticket{d: d, pace: p, gate: g, started: started, paced: paced}, nil
}

// done reports the outcome of the send: a 429 pauses (and cuts) its scope,
// the conversation when the platform said so, else the workspace; a
// success raises the workspace's pace. Other errors say nothing of pace.
func (t *ticket) done(err error) {
	var rl *chat.RateLimitError
	switch {
	case err == nil:
		t.pace.succeeded(t.started, t.paced)
		t.gate.leave(t.started, false, 0)
	case errors.As(err, &rl) && rl.Conversation:
		t.gate.leave(t.started, true, rl.RetryAfter)
	case errors.As(err, &rl):
		t.pace.limited(t.started, rl.RetryAfter)
		t.gate.leave(t.started, false, 0)
	default:
		t.gate.leave(t.started, false, 0)
	}
	t.d.releaseGate(t.gate)
}

// Rate is the pace the dispatcher sends at on a platform now, in messages
// a second, summed over its workspaces: the configured start until the
// first message, then what it learned. 0 means unlimited.
func (d *Dispatcher) Rate(platform string) float64 {
	d.mu.Lock()
	ps := d.paceByPlatform[platform]
	d.mu.Unlock()
	if len(ps) == 0 {
		return d.pacingOf(platform).PerSecond
	}
	var sum float64
	for _, p := range ps {
		sum += p.current()
	}
	return sum
}

// spread orders a batch so that each recipient's items are as far apart as
// the batch allows (the first of everyone's, then the second, …), keeping
// each recipient's own order: a worker waiting out one person's spacing is
// a worker not sending to anyone else.
func spread(items []*okrcore.OutboxItem) []*okrcore.OutboxItem {
	type queue struct{ items []*okrcore.OutboxItem }
	var order []*queue
	byWho := map[string]*queue{}
	for _, it := range items {
		who := it.Workspace + "|"
		switch {
		case it.User != 0:
			who += "u" + strconv.FormatUint(uint64(it.User), 10)
		case it.Team != 0:
			who += "t" + strconv.FormatUint(uint64(it.Team), 10)
		default:
			who += "i" + strconv.FormatUint(uint64(it.ID), 10)
		}
		q, ok := byWho[who]
		if !ok {
			q = &queue{}
			byWho[who] = q
			order = append(order, q)
		}
		q.items = append(q.items, it)
	}
	if len(order) == len(items) {
		return items
	}
	out := make([]*okrcore.OutboxItem, 0, len(items))
	for round := 0; len(out) < len(items); round++ {
		for _, q := range order {
			if round < len(q.items) {
				out = append(out, q.items[round])
			}
		}
	}
	return out
}
