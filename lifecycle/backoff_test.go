package lifecycle

import (
	"testing"
	"time"
)

func TestBackoffCapSequence(t *testing.T) {
	want := []time.Duration{
		time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 8 * time.Second, 8 * time.Second,
	}
	for i, w := range want {
		n := i + 1
		got := backoffCap(n, DefaultStartupInitialBackoff, DefaultStartupMaxBackoff, defaultStartupMultiplier)
		if got != w {
			t.Errorf("backoffCap(%d) = %v, want %v", n, got, w)
		}
	}
	if got := backoffCap(10_000, time.Second, 5*time.Minute, 2); got != 5*time.Minute {
		t.Errorf("huge attempt: got %v, want the max", got)
	}
	if got := backoffCap(0, time.Second, time.Minute, 2); got != time.Second {
		t.Errorf("attempt 0: got %v, want the initial interval", got)
	}
}

// The defaults meet the startup bar: the gate waits at least the 31 s of a
// classic 1+2+4+8+16 s schedule, no wait is so long that a dependency that
// came up goes unseen for 10 s, and Start returns well inside fx's 15 s
// start timeout.
func TestDefaultStartupBudget(t *testing.T) {
	if DefaultStartupMaxWait < 31*time.Second {
		t.Errorf("DefaultStartupMaxWait = %v, want at least 31s", DefaultStartupMaxWait)
	}
	if DefaultStartupMaxBackoff >= 10*time.Second {
		t.Errorf("DefaultStartupMaxBackoff = %v, want under 10s", DefaultStartupMaxBackoff)
	}
	if StartFirstAttemptWait >= 15*time.Second/2 {
		t.Errorf("StartFirstAttemptWait = %v, want well under fx's 15s", StartFirstAttemptWait)
	}
}

func TestFullJitterBounds(t *testing.T) {
	limit := 800 * time.Millisecond
	cases := []struct {
		r    float64
		want time.Duration
	}{
		{0, 0},
		{1, limit},
		{0.5, limit / 2},
		{-3, 0},
		{7, limit},
	}
	for _, c := range cases {
		if got := fullJitter(limit, c.r); got != c.want {
			t.Errorf("fullJitter(%v, %v) = %v, want %v", limit, c.r, got, c.want)
		}
	}
	for i := range 1000 {
		r := float64(i) / 999
		if got := fullJitter(limit, r); got < 0 || got > limit {
			t.Fatalf("fullJitter(%v, %v) = %v out of [0, %v]", limit, r, got, limit)
		}
	}
}

func TestPeriodicWait(t *testing.T) {
	const (
		interval = 10 * time.Second
		ttl      = time.Second
	)
	cases := []struct {
		name string
		ttl  time.Duration
		age  time.Duration
		r    float64
		want time.Duration
	}{
		{"fresh, no jitter", ttl, 0, 0, interval},
		{"fresh, full jitter", ttl, 0, 1, 9 * time.Second},
		{"cached result counts", ttl, 500 * time.Millisecond, 0, 9500 * time.Millisecond},
		{"never below the TTL left", 12 * time.Second, 0, 1, 12 * time.Second},
		{"never negative", ttl, time.Hour, 1, 0},
	}
	for _, c := range cases {
		got := periodicWait(interval, c.ttl, c.age, c.r)
		if got != c.want {
			t.Errorf("%s: periodicWait = %v, want %v", c.name, got, c.want)
		}
		if c.ttl <= interval && got > interval {
			t.Errorf("%s: wait %v longer than the interval", c.name, got)
		}
	}
}
