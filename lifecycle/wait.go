package lifecycle

import (
	"context"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// sleep waits d on clock, or until done is closed. It reports whether the
// full wait elapsed. A d of zero or less does not touch the clock.
func sleep(clock checks.Clock, d time.Duration, done <-chan struct{}) bool {
	if d <= 0 {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
	t := clock.NewTimer(d)
	select {
	case <-t.C():
		return true
	case <-done:
		t.Stop()
		return false
	}
}

// sleepCtx is sleep until ctx ends.
func sleepCtx(ctx context.Context, clock checks.Clock, d time.Duration) bool {
	return sleep(clock, d, ctx.Done())
}

// waitOrCancel waits for wg; if ctx ends first, it calls cancel (which
// must make the goroutines of wg return promptly) and waits again. cancel
// is called in any case before it returns.
func waitOrCancel(ctx context.Context, wg *sync.WaitGroup, cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		cancel()
		<-done
	}
	cancel()
}
