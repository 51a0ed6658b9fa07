package lifecycle

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// healFixture is a started Lifecycle with one check "db", whose outcome
// the test sets, with a Remediate counting its runs.
type healFixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *testutil.FakeClock
	runner *checks.Runner
	l      *Lifecycle
	fail   atomic.Bool
	heals  atomic.Int32
	mu     sync.Mutex
	hooked []error
}

// newHealFixture's check has the real-clock Timeout timeout, which
// bounds Remediate too: long (healTimeout) unless the test is about it,
// so that a goroutine slow to run on a loaded machine is never abandoned.
func newHealFixture(t *testing.T, timeout time.Duration, remediate func(ctx context.Context) error, opts ...Option) *healFixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	f := &healFixture{t: t, ctx: ctx, clock: testutil.NewFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))}
	f.runner = checks.NewRunner(checks.WithClock(f.clock))
	t.Cleanup(f.runner.Close)
	err := f.runner.Register(checks.Check{
		Name:     "db",
		Interval: time.Hour, // the test drives the results
		Timeout:  timeout,   // bounds Remediate too
		Func: checks.FromFunc(func(context.Context) error {
			if f.fail.Load() {
				return errors.New("connection refused")
			}
			return nil
		}),
		RemediateAfter: 2,
		Remediate: func(ctx context.Context) error {
			f.heals.Add(1)
			if remediate != nil {
				return remediate(ctx)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]Option{
		WithDrainDelay(0),
		WithLogger(slog.New(slog.DiscardHandler)),
		WithHooks(Hooks{OnRemediation: func(check string, err error) {
			f.mu.Lock()
			f.hooked = append(f.hooked, err)
			f.mu.Unlock()
		}}),
	}, opts...)
	l, err := New(f.runner, opts...)
	if err != nil {
		t.Fatal(err)
	}
	f.l = l
	if err := f.l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.l.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	if err := f.clock.BlockUntil(ctx, 1); err != nil { // the periodic loop waits
		t.Fatal(err)
	}
	return f
}

// healTimeout is the fixture's check Timeout for the tests that do not
// time out on purpose.
const healTimeout = 10 * time.Second

// refresh runs the check once and waits for any remediation it started.
func (f *healFixture) refresh() {
	f.t.Helper()
	if _, err := f.runner.Refresh(f.ctx, "db"); err != nil {
		f.t.Fatal(err)
	}
	f.l.remedy.wg.Wait()
}

func (f *healFixture) expectHeals(n int32) {
	f.t.Helper()
	if got := f.heals.Load(); got != n {
		f.t.Fatalf("remediated %d times, want %d", got, n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.hooked) != int(n) {
		f.t.Fatalf("OnRemediation called %d times, want %d", len(f.hooked), n)
	}
}

func TestRemediationRateLimit(t *testing.T) {
	f := newHealFixture(t, healTimeout, nil, WithRemediationBackoff(time.Second, 4*time.Second))
	f.fail.Store(true)

	f.refresh() // 1 failure
	f.expectHeals(0)
	f.refresh() // 2 failures: RemediateAfter reached
	f.expectHeals(1)
	f.refresh() // still failing, within the 1 s backoff
	f.refresh()
	f.expectHeals(1)

	f.clock.Advance(time.Second - time.Nanosecond)
	f.refresh()
	f.expectHeals(1)
	f.clock.Advance(time.Nanosecond)
	f.refresh() // 1 s after the first: second remediation, backoff now 2 s
	f.expectHeals(2)

	f.clock.Advance(time.Second)
	f.refresh()
	f.expectHeals(2)
	f.clock.Advance(time.Second)
	f.refresh() // 2 s: third, backoff now 4 s
	f.expectHeals(3)

	f.clock.Advance(4 * time.Second)
	f.refresh() // fourth; the backoff stays at its 4 s maximum
	f.expectHeals(4)
	f.clock.Advance(4*time.Second - time.Nanosecond)
	f.refresh()
	f.expectHeals(4)
	f.clock.Advance(time.Nanosecond)
	f.refresh()
	f.expectHeals(5)

	// Recovery resets the backoff: the next streak of failures is
	// remediated at once.
	f.fail.Store(false)
	f.refresh()
	f.fail.Store(true)
	f.refresh()
	f.expectHeals(5)
	f.refresh()
	f.expectHeals(6)
}

func TestRemediationPanicAndTimeoutAreErrors(t *testing.T) {
	var mode atomic.Int32
	f := newHealFixture(t, 50*time.Millisecond, func(ctx context.Context) error {
		if mode.Load() == 0 {
			panic("reset failed")
		}
		<-ctx.Done() // bounded by the check's Timeout (50 ms, real time)
		return ctx.Err()
	}, WithRemediationBackoff(time.Millisecond, 0))
	f.fail.Store(true)
	f.refresh()
	f.refresh()
	f.expectHeals(1)
	mode.Store(1)
	f.clock.Advance(time.Millisecond)
	f.refresh()
	f.expectHeals(2)

	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.hooked[0]; err == nil || !strings.Contains(err.Error(), "panic: reset failed") {
		t.Errorf("first remediation error = %v, want the panic", err)
	}
	if err := f.hooked[1]; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second remediation error = %v, want a timeout", err)
	}
}

// A remediation in flight is never joined by another, whatever the clock.
func TestRemediationNeverOverlaps(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	f := newHealFixture(t, healTimeout, func(ctx context.Context) error {
		entered <- struct{}{}
		<-release
		return nil
	}, WithRemediationBackoff(time.Millisecond, 0))
	f.fail.Store(true)
	for range 2 {
		if _, err := f.runner.Refresh(f.ctx, "db"); err != nil {
			t.Fatal(err)
		}
	}
	<-entered
	for range 3 {
		f.clock.Advance(time.Minute)
		if _, err := f.runner.Refresh(f.ctx, "db"); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	f.l.remedy.wg.Wait()
	f.expectHeals(1)
}

// Remediation acts only once the gate passed: failures during startup do
// not trigger it.
func TestNoRemediationDuringGate(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	r := checks.NewRunner(checks.WithClock(clock))
	t.Cleanup(r.Close)
	var heals atomic.Int32
	err := r.Register(checks.Check{
		Name:           "db",
		Func:           checks.FromFunc(func(context.Context) error { return errors.New("down") }),
		RemediateAfter: 1,
		Remediate:      func(context.Context) error { heals.Add(1); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, 1)
	l, err := New(r, WithRand(func() float64 { return 0 }), WithStartup(StartupConfig{MaxAttempts: 5}),
		WithOnGateFailure(func(err error) { failed <- err }), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Start(context.Background()); err != nil {
		t.Fatalf("Start = %v, want nil (the gate goes on in the background)", err)
	}
	if err := <-failed; !errors.Is(err, ErrStartupFailed) {
		t.Fatalf("gate failure = %v, want ErrStartupFailed", err)
	}
	l.remedy.wg.Wait()
	if n := heals.Load(); n != 0 {
		t.Fatalf("remediated %d times during the gate", n)
	}
	if err := l.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
