package lifecycle

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// phase is where a Lifecycle is.
type phase uint8

const (
	phaseStarting phase = iota // from New until the gate passed
	phaseRunning               // gate passed, loops running
	phaseFailed                // the gate gave up
	phaseDraining              // Stop began
	phaseStopped               // Stop completed
)

// The reasons Readiness returns while not ready; httphealth shows them in
// the readiness body, healthfx's tests match them, and ExampleLifecycle_Stop
// prints them.
const (
	// ReasonStarting: from New until the startup gate passed and the
	// ready hooks returned.
	ReasonStarting = "starting"
	// ReasonStartupFailed: the startup gate gave up (or a ready hook
	// failed).
	ReasonStartupFailed = "startup failed"
	// ReasonDraining: Stop began; the service still serves.
	ReasonDraining = "draining"
	// ReasonStopped: Stop completed.
	ReasonStopped = "stopped"
)

var reasons = [...]string{ReasonStarting, "", ReasonStartupFailed, ReasonDraining, ReasonStopped}

// Lifecycle runs a service's health checks through its life: the startup
// gate (Start), periodic checks and auto-healing while running, and drain
// then shutdown (Stop). It reports readiness and liveness for the probes.
//
// Create it with New. All methods are safe for concurrent use. Wire Start
// and Stop into the application's start and stop hooks (fx.Hook{OnStart:
// lc.Start, OnStop: lc.Stop}).
type Lifecycle struct {
	runner *checks.Runner
	cfg    config

	mu       sync.Mutex
	phase    phase
	started  bool
	cleanups []cleanup
	ready    []readyHook // run by pass, once the gate passed
	// abandoned is the error of a ready hook that Stop abandoned, which
	// Stop returns.
	abandoned *ReadyHookError

	// stopping ends when Stop begins; it cancels a gate in flight.
	stopping   context.Context
	stopCancel context.CancelFunc
	// stopDone is closed when Stop completes; stopErr is then its result.
	stopDone chan struct{}
	stopErr  error
	// stopBegun is set by the first Stop, drainBegun by the first Drain;
	// drainDone is closed when the drain (Drain, or Stop's first steps)
	// has completed.
	stopBegun  bool
	drainBegun bool
	drainDone  chan struct{}
	// gateDone is closed when the gate's goroutine ended (nil before
	// Start). claim decides who reports the gate's first attempt: Start
	// (1) or, once Start stopped waiting, the gate's goroutine (2).
	gateDone chan struct{}
	claim    atomic.Int32

	live atomic.Bool
	// passed is set once the startup gate passed, for good (Started).
	passed atomic.Bool

	periodic *periodic
	remedy   *remediator

	maint maintenance // EnterMaintenance (maintenance.go)
}

// New returns a Lifecycle for the checks registered with runner, which
// must not be nil (checks registered after Start are not run
// periodically). It is live and not ready ("starting"). Options default as
// documented on each. New subscribes to the runner's results for
// auto-healing; the runner stays the caller's to close (for instance in a
// cleanup registered first, so that it runs last). Invalid options give
// a *checks.ConfigError naming each (joined with errors.Join) and no
// Lifecycle: New validates them once, for Start and Stop.
func New(runner *checks.Runner, opts ...Option) (*Lifecycle, error) {
	cfg := newConfig(runner, opts)
	if err := cfg.err(); err != nil {
		return nil, err
	}
	l := &Lifecycle{
		runner:    runner,
		cfg:       cfg,
		stopDone:  make(chan struct{}),
		drainDone: make(chan struct{}),
	}
	l.stopping, l.stopCancel = context.WithCancel(context.Background())
	l.live.Store(true)
	l.remedy = newRemediator(runner, &l.cfg)
	return l, nil
}

// Start begins the startup gate (see Gate) and returns once its first
// attempt is done, or after StartFirstAttemptWait (2 s), or when ctx ends,
// whichever comes first; the gate goes on in the background, under no
// start timeout, until it passes or gives up. Once it passes, the periodic
// checks and auto-healing start and the Lifecycle turns ready, after the
// ready hooks (OnReady) returned. While they run, Readiness reads
// "starting".
//
// Start returns:
//   - a *StartupError when the first attempt settled the gate's failure (a
//     check failed permanently, e.g. the database does not exist), so
//     that the application's start fails at once with the server's
//     message;
//   - a *ReadyHookError when the gate passed at the first attempt and a
//     ready hook (OnReady) failed within StartFirstAttemptWait (2 s); hooks
//     that run longer go on in the background, and their failure takes the
//     path of a gate that gives up;
//   - an error on a second call ("lifecycle: already started") and once
//     Stop has begun ("lifecycle: stopped");
//   - nil otherwise: the gate passed, or goes on in the background.
//
// A gate that gives up in the background (budget spent, permanent
// failure) logs its *StartupError at error, turns Readiness to "startup
// failed" and calls the WithOnGateFailure function, which should stop the
// application with a non-zero exit code. A Stop cancels the gate at once;
// the failure function is then not called.
func (l *Lifecycle) Start(ctx context.Context) error {
	l.mu.Lock()
	switch {
	case l.phase >= phaseDraining:
		l.mu.Unlock()
		return errStopped
	case l.started:
		l.mu.Unlock()
		return errAlreadyStarted
	}
	l.started = true
	l.gateDone = make(chan struct{})
	l.mu.Unlock()

	g := newGate(&l.cfg, l.runner)
	first := make(chan error, 1)
	go l.runGate(g, first)

	timer := time.NewTimer(StartFirstAttemptWait)
	defer timer.Stop()
	select {
	case err := <-first:
		return err
	case <-timer.C:
	case <-ctx.Done():
	}
	if l.claim.CompareAndSwap(0, 2) {
		l.cfg.logger.Info("startup gate continues in the background")
		return nil
	}
	return <-first // the first attempt ended meanwhile
}

// runGate runs the gate on its own goroutine, under l.stopping, and
// handles its outcome unless Start reported it.
func (l *Lifecycle) runGate(g *gate, first chan<- error) {
	err, reported := l.gateOutcome(g, first)
	close(l.gateDone) // before the failure function, which may call Stop
	if !reported && err != nil {
		l.gateFailed(err)
	}
}

// gateOutcome runs the gate and returns its error, reporting the first
// attempt's outcome on first unless Start stopped waiting; reported is
// true when Start returns the error.
func (l *Lifecycle) gateOutcome(g *gate, first chan<- error) (err error, reported bool) {
	pending := g.attempt(l.stopping, limit{})
	settled, err := g.settle(pending)
	if settled && err == nil {
		err = l.pass()
	}
	if l.claim.CompareAndSwap(0, 1) { // Start is waiting
		if settled {
			if err != nil {
				l.setFailed()
			}
			first <- err
			return err, true
		}
		l.cfg.logger.Info("startup gate continues in the background")
		first <- nil
	} else if settled {
		return err, false
	}
	err = g.run(l.stopping, limit{}, pending)
	if err == nil {
		err = l.pass()
	}
	return err, false
}

// becomeRunning starts the periodic checks and auto-healing and makes the
// Lifecycle ready, unless Stop began (an error, "lifecycle: stopped").
func (l *Lifecycle) becomeRunning() error {
	defer l.readinessChanged() // after the unlock
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.phase != phaseStarting {
		return errStopped
	}
	l.periodic = startPeriodic(l.runner, &l.cfg)
	l.remedy.activate()
	l.phase = phaseRunning
	l.passed.Store(true)
	l.cfg.logger.Info("lifecycle started", "periodic_checks", l.periodic.count)
	return nil
}

// setFailed records that the gate gave up, unless Stop began.
func (l *Lifecycle) setFailed() {
	defer l.readinessChanged() // after the unlock
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.phase == phaseStarting {
		l.phase = phaseFailed
	}
}

// gateFailed handles a gate that gave up in the background: unless Stop
// began (which canceled it), readiness reads "startup failed" and the
// failure function runs.
func (l *Lifecycle) gateFailed(err error) {
	l.mu.Lock()
	stopping := l.phase >= phaseDraining // set before the gate is canceled
	l.mu.Unlock()
	if stopping || l.stopping.Err() != nil {
		return // Stop began (and canceled the gate): not a failure
	}
	l.setFailed()
	if f := l.cfg.onGateFailure; f != nil {
		func() {
			defer func() {
				if p := recover(); p != nil {
					l.cfg.logger.Error("startup failure function panicked", "panic", p)
				}
			}()
			f(err)
		}()
	}
}

// Readiness reports whether the service should receive traffic, as far as
// its lifecycle goes: false with reason "starting" until the startup gate
// passed, "startup failed" once it gave up, "draining" from the moment Stop begins,
// "stopped" once it completed, "maintenance" while running in a
// maintenance window (EnterMaintenance); true with an empty reason otherwise. The
// health of the required checks is for the HTTP layer to add.
func (l *Lifecycle) Readiness() (ready bool, reason string) {
	l.mu.Lock()
	p := l.phase
	l.mu.Unlock()
	if p == phaseRunning && l.maint.active(l.cfg.clock.Now()) {
		return false, ReasonMaintenance
	}
	return p == phaseRunning, reasons[p]
}

// Started reports whether the startup gate passed (and the ready hooks of
// OnReady returned: the start is not done while they run): false with the
// readiness reason ("starting", "startup failed", or "draining" and
// "stopped" for a Stop that came before the gate passed) until it does,
// then true with an empty reason for good, also while draining and once
// stopped. It answers a Kubernetes startupProbe (httphealth's
// {prefix}/startup route), which must not fail again after it passed.
func (l *Lifecycle) Started() (started bool, reason string) {
	if l.passed.Load() {
		return true, ""
	}
	l.mu.Lock()
	p := l.phase
	l.mu.Unlock()
	if p == phaseRunning { // the flag is set under l.mu with the phase
		return true, ""
	}
	return false, reasons[p]
}

// Live reports whether the process should be left running: true from New
// until Stop completes, including while draining.
func (l *Lifecycle) Live() bool { return l.live.Load() }
