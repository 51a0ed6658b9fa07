package testutil

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func fired(t *testing.T, c <-chan time.Time) (time.Time, bool) {
	t.Helper()
	select {
	case v := <-c:
		return v, true
	default:
		return time.Time{}, false
	}
}

func TestFakeClockAdvanceFiresDueTimers(t *testing.T) {
	c := NewFakeClock(epoch)
	early := c.NewTimer(1 * time.Second)
	mid := c.NewTimer(2 * time.Second)
	late := c.NewTimer(3 * time.Second)
	if c.Pending() != 3 {
		t.Fatalf("Pending() = %d, want 3", c.Pending())
	}

	c.Advance(999 * time.Millisecond)
	if _, ok := fired(t, early.C()); ok {
		t.Fatal("timer fired before its deadline")
	}
	c.Advance(1001 * time.Millisecond) // exactly epoch+2s: mid is due
	if _, ok := fired(t, early.C()); !ok {
		t.Error("early did not fire")
	}
	if _, ok := fired(t, mid.C()); !ok {
		t.Error("timer due exactly now did not fire")
	}
	if _, ok := fired(t, late.C()); ok {
		t.Error("late fired early")
	}
	if c.Pending() != 1 || !c.Now().Equal(epoch.Add(2*time.Second)) {
		t.Errorf("Pending() = %d, Now() = epoch+%v; want 1, 2s", c.Pending(), c.Now().Sub(epoch))
	}
	c.Set(epoch.Add(time.Hour))
	if v, ok := fired(t, late.C()); !ok || !v.Equal(epoch.Add(3*time.Second)) {
		t.Errorf("late: fired=%v value=epoch+%v, want its deadline", ok, v.Sub(epoch))
	}
	c.Set(epoch) // backwards: allowed, fires nothing
	if !c.Now().Equal(epoch) {
		t.Errorf("Set backwards: Now() = %v", c.Now())
	}
}

func TestFakeClockOrderOfDeliveredValues(t *testing.T) {
	c := NewFakeClock(epoch)
	var seen []time.Time
	var timers []interface{ C() <-chan time.Time }
	for _, d := range []time.Duration{5, 1, 3, 3, 2} {
		timers = append(timers, c.NewTimer(d*time.Second))
	}
	c.Advance(10 * time.Second)
	for _, tm := range timers {
		v, ok := fired(t, tm.C())
		if !ok {
			t.Fatal("a due timer did not fire")
		}
		seen = append(seen, v)
	}
	wantSecs := []int{5, 1, 3, 3, 2}
	for i, v := range seen {
		if v.Sub(epoch) != time.Duration(wantSecs[i])*time.Second {
			t.Errorf("timer %d delivered %v, want its deadline", i, v.Sub(epoch))
		}
	}
}

func TestFakeClockStop(t *testing.T) {
	c := NewFakeClock(epoch)
	tm := c.NewTimer(time.Second)
	if !tm.Stop() {
		t.Error("Stop on a pending timer = false")
	}
	if tm.Stop() {
		t.Error("second Stop = true")
	}
	c.Advance(time.Minute)
	if _, ok := fired(t, tm.C()); ok {
		t.Error("stopped timer fired")
	}

	tm = c.NewTimer(time.Second)
	c.Advance(time.Second)
	if tm.Stop() {
		t.Error("Stop after firing = true")
	}
	if _, ok := fired(t, tm.C()); !ok {
		t.Error("fired value lost")
	}
}

func TestFakeClockNonPositiveDurationFiresImmediately(t *testing.T) {
	c := NewFakeClock(epoch)
	for _, d := range []time.Duration{0, -time.Second} {
		tm := c.NewTimer(d)
		if v, ok := fired(t, tm.C()); !ok || !v.Equal(epoch) {
			t.Errorf("NewTimer(%v): fired=%v value=%v, want immediate at start", d, ok, v)
		}
		if tm.Stop() {
			t.Errorf("NewTimer(%v).Stop() = true", d)
		}
	}
	if c.Pending() != 0 {
		t.Errorf("Pending() = %d", c.Pending())
	}
	c.Advance(-time.Hour)
	if !c.Now().Equal(epoch) {
		t.Errorf("negative Advance moved the clock to %v", c.Now())
	}
}

func TestFakeClockBlockUntil(t *testing.T) {
	c := NewFakeClock(epoch)
	woke := make(chan time.Time)
	go func() {
		tm := c.NewTimer(time.Minute)
		woke <- <-tm.C()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if v := <-woke; !v.Equal(epoch.Add(time.Minute)) {
		t.Errorf("goroutine woke with %v", v)
	}

	c.AfterFunc(time.Minute, func() {}) // nobody waits on it
	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	if err := c.BlockUntil(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BlockUntil with only an AfterFunc timer = %v, want DeadlineExceeded", err)
	}
}

func TestFakeClockConcurrentUse(t *testing.T) {
	c := NewFakeClock(epoch)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				tm := c.NewTimer(time.Millisecond)
				c.Advance(time.Millisecond)
				tm.Stop()
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	if c.Pending() != 0 {
		t.Errorf("Pending() = %d", c.Pending())
	}
	if got := c.Now().Sub(epoch); got != 800*time.Millisecond {
		t.Errorf("clock advanced %v, want 800ms", got)
	}
}

func TestFakeClockAfterFuncOrderAndNow(t *testing.T) {
	c := NewFakeClock(epoch)
	var got []string
	record := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(epoch).String()) }
	}
	c.AfterFunc(3*time.Second, record("c"))
	c.AfterFunc(1*time.Second, record("a"))
	c.AfterFunc(2*time.Second, record("b1"))
	c.AfterFunc(2*time.Second, record("b2"))
	tm := c.AfterFunc(2500*time.Millisecond, record("stopped"))
	if tm.C() != nil {
		t.Error("AfterFunc timer has a channel")
	}
	if c.Pending() != 0 || c.PendingFuncs() != 5 {
		t.Errorf("Pending() = %d, PendingFuncs() = %d; want 0 and 5", c.Pending(), c.PendingFuncs())
	}
	if !tm.Stop() {
		t.Error("Stop on a pending AfterFunc timer = false")
	}
	if c.PendingFuncs() != 4 {
		t.Errorf("PendingFuncs() = %d after Stop, want 4", c.PendingFuncs())
	}

	c.Advance(5 * time.Second)
	want := []string{"a@1s", "b1@2s", "b2@2s", "c@3s"}
	if !slices.Equal(got, want) {
		t.Errorf("fired %v, want %v", got, want)
	}
	if !c.Now().Equal(epoch.Add(5 * time.Second)) {
		t.Errorf("Now() = epoch+%v after Advance, want 5s", c.Now().Sub(epoch))
	}
}

func TestFakeClockAfterFuncRearms(t *testing.T) {
	c := NewFakeClock(epoch)
	var ticks []time.Duration
	var tick func()
	tick = func() { // a callback may use the clock, e.g. to re-arm itself
		ticks = append(ticks, c.Now().Sub(epoch))
		c.AfterFunc(time.Second, tick)
	}
	c.AfterFunc(time.Second, tick)
	c.Advance(3500 * time.Millisecond)
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}; !slices.Equal(ticks, want) {
		t.Errorf("ticks at %v, want %v", ticks, want)
	}
	if c.PendingFuncs() != 1 {
		t.Errorf("PendingFuncs() = %d, want the next tick", c.PendingFuncs())
	}
}

func TestFakeClockAfterFuncNonPositiveRunsNow(t *testing.T) {
	c := NewFakeClock(epoch)
	ran := false
	tm := c.AfterFunc(0, func() { ran = true })
	if !ran {
		t.Fatal("AfterFunc(0) did not run f before returning")
	}
	if tm.Stop() || c.PendingFuncs() != 0 {
		t.Error("AfterFunc(0) left a pending timer")
	}
}
