package checks

import "time"

// Clock is the source of time for the runner and for the lifecycle package.
// Production code uses SystemClock; tests inject a fake (see internal/testutil)
// to make TTLs, staleness, backoff and intervals deterministic.
//
// Check timeouts are always real time: they bound how long a goroutine may
// wait on a dependency, which a fake clock cannot do.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that fires once, d after now.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f once, d after now, on a goroutine of its own (or,
	// for a fake clock, inside the call that moves time past the
	// deadline). The returned Timer's C is nil.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is the part of *time.Timer that the library uses.
type Timer interface {
	// C is the channel on which the time is delivered once (nil for
	// AfterFunc timers).
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
}

// SystemClock returns the Clock backed by package time.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer {
	return systemTimer{time.AfterFunc(d, f)}
}

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time { return t.t.C }
func (t systemTimer) Stop() bool          { return t.t.Stop() }
