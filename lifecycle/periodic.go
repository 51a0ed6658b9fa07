package lifecycle

import (
	"context"
	"errors"
	"sync"

	"github.com/echofx/healthcheck/checks"
)

// periodic runs every check on its Interval, one goroutine per check.
//
// Each loop calls runner.Check, which executes the check only when its
// cached result is older than the TTL: a check just refreshed by a reader
// (or by the gate) is not run again. The wait before the next call is the
// Interval shortened by up to 10 % at random and by the age of the result
// on hand (see periodicWait), so a result is never older than Interval
// when a run starts and never older than Interval + Timeout at all (given
// TTL <= Interval), which the runner's default MaxStaleness relies on. A loop is sequential and
// the runner coalesces executions, so a check never overlaps itself.
type periodic struct {
	count int
	// quit ends the loops after their current run.
	quit chan struct{}
	// abandon cuts the runs in flight (the runner finishes them alone).
	abandon context.CancelFunc
	wg      sync.WaitGroup
}

func startPeriodic(runner *checks.Runner, cfg *config) *periodic {
	ctx, cancel := context.WithCancel(context.Background())
	p := &periodic{quit: make(chan struct{}), abandon: cancel}
	for _, c := range runner.Checks() {
		p.count++
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.loop(ctx, runner, cfg, c)
		}()
	}
	return p
}

func (p *periodic) loop(ctx context.Context, runner *checks.Runner, cfg *config, c checks.Check) {
	for {
		res, err := runner.Check(ctx, c.Name)
		wait := c.Interval
		switch {
		case errors.Is(err, checks.ErrClosed), errors.Is(err, checks.ErrUnknownCheck):
			cfg.logger.Debug("periodic check ended", "check", c.Name, "error", err)
			return
		case err != nil && ctx.Err() != nil:
			return
		case err == nil:
			age := max(0, cfg.clock.Now().Sub(res.Time))
			wait = periodicWait(c.Interval, c.TTL, age, cfg.rand())
		}
		if !sleep(cfg.clock, wait, p.quit) {
			return
		}
	}
}

// stop ends the loops at once: a loop waiting for a run returns without
// it (the runner finishes the execution alone, bounded by the check's
// Timeout), so stopping never waits on a check.
func (p *periodic) stop() {
	close(p.quit)
	p.abandon()
	p.wg.Wait()
}
