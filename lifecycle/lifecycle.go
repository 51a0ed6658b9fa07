package lifecycle

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/echofx/healthcheck/checks"
)

// phase is where a Lifecycle is.
type phase uint8

const (
	phaseStarting phase = iota // from New until the gate passed
	phaseRunning               // gate passed, loops running
	phaseDraining              // Stop began
	phaseStopped               // Stop completed
)

// Readiness reasons.
const (
	ReasonStarting = "starting"
	ReasonDraining = "draining"
	ReasonStopped  = "stopped"
)

var reasons = [...]string{ReasonStarting, "", ReasonDraining, ReasonStopped}

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

	// stopping ends when Stop begins; it cancels a gate in flight.
	stopping   context.Context
	stopCancel context.CancelFunc
	// stopDone is closed when Stop completes; stopErr is then its result.
	stopDone chan struct{}
	stopErr  error

	live atomic.Bool

	periodic *periodic
	remedy   *remediator
}

// New returns a Lifecycle for the checks registered with runner, which
// must not be nil (checks registered after Start are not run
// periodically). It is live and not ready ("starting"). Options default as
// documented on each. New subscribes to the runner's results for
// auto-healing; the runner stays the caller's to close (for instance in a
// cleanup registered first, so that it runs last).
func New(runner *checks.Runner, opts ...Option) *Lifecycle {
	l := &Lifecycle{
		runner:   runner,
		cfg:      newConfig(runner, opts),
		stopDone: make(chan struct{}),
	}
	l.stopping, l.stopCancel = context.WithCancel(context.Background())
	l.live.Store(true)
	l.remedy = newRemediator(runner, &l.cfg)
	return l
}

// Start runs the startup gate (see Gate) under ctx and, once it passes,
// starts the periodic checks and auto-healing and makes the Lifecycle
// ready. It returns the gate's error (a *StartupError), in which case
// nothing is started and Readiness stays "starting"; ErrAlreadyStarted on a
// second call; ErrStopped once Stop has begun. A Stop that begins during
// the gate cancels it.
func (l *Lifecycle) Start(ctx context.Context) error {
	l.mu.Lock()
	switch {
	case l.phase >= phaseDraining:
		l.mu.Unlock()
		return ErrStopped
	case l.started:
		l.mu.Unlock()
		return ErrAlreadyStarted
	}
	l.started = true
	l.mu.Unlock()

	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(l.stopping, cancel)()
	if err := l.cfg.gate(gctx, l.runner); err != nil {
		return err
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.phase != phaseStarting {
		return ErrStopped
	}
	l.periodic = startPeriodic(l.runner, &l.cfg)
	l.remedy.activate()
	l.phase = phaseRunning
	l.cfg.logger.Info("lifecycle started", "periodic_checks", l.periodic.count)
	return nil
}

// Readiness reports whether the service should receive traffic, as far as
// its lifecycle goes: false with reason "starting" until the startup gate
// passed (and after a failed gate), "draining" from the moment Stop begins,
// "stopped" once it completed; true with an empty reason otherwise. The
// health of the required checks is for the HTTP layer to add.
func (l *Lifecycle) Readiness() (ready bool, reason string) {
	l.mu.Lock()
	p := l.phase
	l.mu.Unlock()
	return p == phaseRunning, reasons[p]
}

// Live reports whether the process should be left running: true from New
// until Stop completes, including while draining.
func (l *Lifecycle) Live() bool { return l.live.Load() }
