package checks

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// LogTransitions returns Hooks that log every change of a check's status
// to logger, so that an outage shows at the default level:
//
//   - to unhealthy: ERROR for a Required check, WARN for an Optional one;
//     to degraded: WARN. Message "health check unhealthy" or "health check
//     degraded".
//   - back to healthy: INFO "health check recovered", with "outage", how
//     long the check was not healthy; the first healthy result: INFO
//     "health check healthy".
//
// Each line has "check", "from", "to", "message" (the result's safe
// message), "duration" (how long the check was in its previous status)
// and "criticality". A flapping check cannot flood the log: at most one
// line per check per Interval (the check's). A transition within the
// Interval of the previous line is folded: the latest one is logged when
// the Interval has passed, with "folded", the number of earlier
// transitions it stands for. The Interval is measured on runner's clock.
//
// Add the hooks to the runner they describe:
//
//	runner.AddHooks(checks.LogTransitions(logger, runner))
//
// A nil logger gives slog.Default().
func LogTransitions(logger *slog.Logger, runner *Runner) Hooks {
	if logger == nil {
		logger = slog.Default()
	}
	tl := &transitionLog{logger: logger, runner: runner, checks: map[string]*checkLog{}}
	return Hooks{OnTransition: tl.onTransition}
}

type transitionLog struct {
	logger *slog.Logger
	runner *Runner

	mu     sync.Mutex
	checks map[string]*checkLog
}

// checkLog is the logging state of one check. Guarded by transitionLog.mu.
type checkLog struct {
	lastLine    time.Time   // when the last line was written (clock)
	pending     *Transition // latest folded transition, written by timer
	pendingOut  time.Duration
	folded      int   // transitions folded since the last line
	timer       Timer // armed while a transition is pending
	outageStart time.Time
}

func (tl *transitionLog) onTransition(tr Transition) {
	crit, interval, clock := Required, DefaultInterval, Clock(SystemClock())
	if tl.runner != nil {
		clock = tl.runner.Clock()
		if c, ok := tl.runner.Lookup(tr.Check); ok {
			crit, interval = c.Criticality, c.Interval
		}
	}

	tl.mu.Lock()
	defer tl.mu.Unlock()
	cl := tl.checks[tr.Check]
	if cl == nil {
		cl = &checkLog{}
		tl.checks[tr.Check] = cl
	}
	var outage time.Duration
	switch {
	case tr.To == StatusHealthy:
		if !cl.outageStart.IsZero() {
			outage = tr.At.Sub(cl.outageStart)
			cl.outageStart = time.Time{}
		}
	case cl.outageStart.IsZero():
		cl.outageStart = tr.At
	}

	if cl.timer == nil && (cl.lastLine.IsZero() || tr.At.Sub(cl.lastLine) >= interval) {
		tl.write(tr, crit, outage, 0)
		cl.lastLine = tr.At
		return
	}
	// Within the interval of the last line: fold, and write the latest
	// transition when the interval has passed.
	if cl.pending != nil {
		cl.folded++
	}
	cl.pending, cl.pendingOut = &tr, outage
	if cl.timer == nil {
		cl.timer = clock.AfterFunc(cl.lastLine.Add(interval).Sub(tr.At), func() {
			tl.mu.Lock()
			defer tl.mu.Unlock()
			if cl.pending != nil {
				tl.write(*cl.pending, crit, cl.pendingOut, cl.folded)
			}
			cl.lastLine = clock.Now()
			cl.pending, cl.folded, cl.timer = nil, 0, nil
		})
	}
}

// write logs one transition. tl.mu is held: lines of one check stay in
// order.
func (tl *transitionLog) write(tr Transition, crit Criticality, outage time.Duration, folded int) {
	level, msg := slog.LevelInfo, "health check healthy"
	switch tr.To {
	case StatusHealthy:
		if tr.From != StatusUnknown {
			msg = "health check recovered"
		}
	case StatusDegraded:
		level, msg = slog.LevelWarn, "health check degraded"
	default:
		level, msg = slog.LevelWarn, "health check unhealthy"
		if crit == Required {
			level = slog.LevelError
		}
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("check", tr.Check),
		slog.String("from", tr.From.String()),
		slog.String("to", tr.To.String()),
		slog.String("message", tr.Message),
		slog.Duration("duration", tr.Since),
		slog.String("criticality", crit.String()),
	)
	if tr.To == StatusHealthy && tr.From != StatusUnknown {
		attrs = append(attrs, slog.Duration("outage", outage))
	}
	if folded > 0 {
		attrs = append(attrs, slog.Int("folded", folded))
	}
	tl.logger.LogAttrs(context.Background(), level, msg, attrs...)
}
