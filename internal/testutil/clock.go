package testutil

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// FakeClock is a checks.Clock whose time moves only when told to, via
// Advance or Set, which fire the timers that become due before returning. It
// is safe for concurrent use.
type FakeClock struct {
	moving  sync.Mutex // serialises Advance and Set, callbacks included
	mu      sync.Mutex
	now     time.Time
	seq     uint64        // creation order, to fire timers due at the same instant in order
	pending []*fakeTimer  // armed timers
	changed chan struct{} // closed and replaced whenever pending changes
}

var _ checks.Clock = (*FakeClock)(nil)

// NewFakeClock returns a FakeClock reading start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTimer returns a timer that fires once the clock reaches Now()+d,
// delivering its deadline on a channel of capacity 1, so firing never
// blocks. A timer with d <= 0 has already fired when NewTimer returns and is
// never pending.
func (c *FakeClock) NewTimer(d time.Duration) checks.Timer {
	return c.arm(d, make(chan time.Time, 1), nil)
}

// AfterFunc arranges for f to be called once the clock reaches Now()+d. f
// runs on the goroutine calling Advance or Set, after the clock has been
// unlocked and with Now reading the deadline, so f may use the clock. With
// d <= 0, f runs before AfterFunc returns. The returned Timer's C is nil.
// f must not call Advance or Set, and callers must not hold a lock that f
// takes while calling a method that fires it.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) checks.Timer {
	return c.arm(d, nil, f)
}

func (c *FakeClock) arm(d time.Duration, ch chan time.Time, f func()) *fakeTimer {
	c.mu.Lock()
	c.seq++
	t := &fakeTimer{clock: c, c: ch, f: f, when: c.now.Add(d), seq: c.seq}
	if d > 0 {
		c.pending = append(c.pending, t)
		c.notifyLocked()
		c.mu.Unlock()
		return t
	}
	now := c.now
	c.mu.Unlock()
	t.fire(now)
	return t
}

// Advance moves the clock forward by d (a negative d is treated as 0) and
// fires every timer that becomes due, earliest deadline first and in
// creation order for equal deadlines, including timers armed by AfterFunc
// callbacks while it runs. Each timer receives its own deadline, and Now
// reads that deadline while it fires. Concurrent calls of Advance and Set
// take turns, so concurrent advances add up.
func (c *FakeClock) Advance(d time.Duration) {
	c.moving.Lock()
	defer c.moving.Unlock()
	c.mu.Lock()
	target := c.now.Add(max(d, 0))
	c.mu.Unlock()
	c.moveTo(target)
}

// Set moves the clock to t and fires the timers due at t as Advance does.
// Setting an earlier time fires nothing; timers keep their deadlines.
func (c *FakeClock) Set(t time.Time) {
	c.moving.Lock()
	defer c.moving.Unlock()
	c.moveTo(t)
}

// moveTo fires the timers due at target and then sets the clock to it.
// c.moving must be held.
func (c *FakeClock) moveTo(target time.Time) {
	for {
		c.mu.Lock()
		i := c.nextDueLocked(target)
		if i < 0 {
			c.now = target
			c.mu.Unlock()
			return
		}
		t := c.pending[i]
		c.pending = slices.Delete(c.pending, i, i+1)
		c.notifyLocked()
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.fire(t.when)
	}
}

// nextDueLocked returns the index of the earliest timer due at or before
// target, or -1.
func (c *FakeClock) nextDueLocked(target time.Time) int {
	best := -1
	for i, t := range c.pending {
		if t.when.After(target) {
			continue
		}
		if best < 0 || t.when.Before(c.pending[best].when) ||
			(t.when.Equal(c.pending[best].when) && t.seq < c.pending[best].seq) {
			best = i
		}
	}
	return best
}

// Pending returns the number of NewTimer timers that have neither fired nor
// been stopped: the timers a goroutine can be waiting on. AfterFunc timers
// are counted by PendingFuncs instead.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.countLocked(false)
}

// PendingFuncs returns the number of AfterFunc timers that have neither
// fired nor been stopped.
func (c *FakeClock) PendingFuncs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.countLocked(true)
}

func (c *FakeClock) countLocked(funcs bool) int {
	n := 0
	for _, t := range c.pending {
		if (t.f != nil) == funcs {
			n++
		}
	}
	return n
}

// BlockUntil waits until at least n NewTimer timers are pending (see
// Pending), which lets a test know that the goroutine under test has armed
// the timer it is about to wait on before calling Advance. It returns
// ctx.Err() if ctx ends first.
func (c *FakeClock) BlockUntil(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		ok, changed := c.countLocked(false) >= n, c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *FakeClock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// fakeTimer is the checks.Timer of a FakeClock: it either delivers on c
// (NewTimer) or calls f (AfterFunc).
type fakeTimer struct {
	clock *FakeClock
	c     chan time.Time
	f     func()
	when  time.Time
	seq   uint64
}

// fire delivers the timer; it is called once, without the clock's lock.
func (t *fakeTimer) fire(at time.Time) {
	if t.f != nil {
		t.f()
		return
	}
	t.c <- at // never blocks: capacity 1, sent once
}

// C returns the channel on which the timer's deadline is delivered once;
// nil for AfterFunc timers.
func (t *fakeTimer) C() <-chan time.Time { return t.c }

// Stop disarms the timer and reports whether it was still pending. It does
// not drain the channel of a timer that already fired, nor wait for a
// running AfterFunc callback.
func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.pending, t)
	if i < 0 {
		return false
	}
	c.pending = slices.Delete(c.pending, i, i+1)
	c.notifyLocked()
	return true
}
