package checks

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestCallAbandonRacesReturn makes the Func return while call is
// abandoning it (between deciding to abandon and recording it): the
// outstanding-execution mark must end cleared, or the check would read
// "timeout after" forever without running again.
func TestCallAbandonRacesReturn(t *testing.T) {
	var abandoned atomic.Bool
	release := make(chan struct{})
	returned := make(chan struct{})
	fn := func(ctx context.Context) Report {
		<-ctx.Done()
		<-release
		return Report{Status: StatusHealthy}
	}
	onAbandon := func() {
		close(release) // the Func returns now, while call abandons it
		select {
		case <-returned:
		case <-time.After(200 * time.Millisecond):
		}
		abandoned.Store(true)
	}
	onReturn := func() {
		abandoned.Store(false)
		close(returned)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	rep := call(ctx, fn, time.Millisecond, onAbandon, onReturn)
	if rep.Status != StatusUnhealthy {
		t.Fatalf("status %v, want unhealthy", rep.Status)
	}
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
	}
	if abandoned.Load() {
		t.Fatal("the execution returned but stays marked abandoned: the check would never run again")
	}
}
