package slacktest

import (
	"maps"
	"sync"
)

// Deliveries counts the messages a fake platform delivered, by
// conversation and the outbox key they carried, so that a run can say
// which were sent twice and which never.
type Deliveries struct {
	mu    sync.Mutex
	count map[string]map[string]int // conversation → key → deliveries
	total int
}

// NewDeliveries is an empty count.
func NewDeliveries() *Deliveries { return &Deliveries{count: map[string]map[string]int{}} }

// Add records one delivery and returns how many there have been.
func (d *Deliveries) Add(conv, key string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.count[conv]
	if m == nil {
		m = map[string]int{}
		d.count[conv] = m
	}
	m[key]++
	d.total++
	return d.total
}

// Clone is a copy that counts on separately, for a platform that outlives
// a crash of the code under test.
func (d *Deliveries) Clone() *Deliveries {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := &Deliveries{count: make(map[string]map[string]int, len(d.count)), total: d.total}
	for conv, keys := range d.count {
		c.count[conv] = maps.Clone(keys)
	}
	return c
}

// Count is how often key was delivered to conv.
func (d *Deliveries) Count(conv, key string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.count[conv][key]
}

// Total is every delivery.
func (d *Deliveries) Total() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.total
}

// Each calls fn for every conversation and key delivered, with its count.
func (d *Deliveries) Each(fn func(conv, key string, n int)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for conv, keys := range d.count {
		for key, n := range keys {
			fn(conv, key, n)
		}
	}
}

// Tally compares the deliveries with what each conversation expected:
// messages expected, duplicates (deliveries beyond the first of a key),
// missed (keys never delivered) and unexpected (deliveries of keys nobody
// expected there).
type Tally struct {
	Messages, Duplicates, Missed, Unexpected int
}

// Tally is the comparison with expected, conversation → keys.
func (d *Deliveries) Tally(expected map[string][]string) Tally {
	d.mu.Lock()
	defer d.mu.Unlock()
	var t Tally
	want := map[string]map[string]bool{}
	for conv, keys := range expected {
		want[conv] = map[string]bool{}
		for _, k := range keys {
			t.Messages++
			want[conv][k] = true
			switch n := d.count[conv][k]; {
			case n == 0:
				t.Missed++
			case n > 1:
				t.Duplicates += n - 1
			}
		}
	}
	for conv, keys := range d.count {
		for k, n := range keys {
			if !want[conv][k] {
				t.Unexpected += n
			}
		}
	}
	return t
}
