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
// and "criticality".
//
// A change is written when it happens: an outage and its recovery show at
// once, whatever came before. Only a flapping check is folded, so that it
// cannot flood the log: at most two lines per check within any Interval
// (the check's, measured on runner's clock; the first line of a check,
// from unknown, is not counted). A third change within the Interval of
// the older of the last two lines is folded: the latest one is written
// when that Interval has passed, with "folded", the number of earlier
// transitions it stands for.
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
	lines       [transitionBurst]time.Time // when the last counted lines were written (clock), oldest first
	pending     *Transition                // latest folded transition, written by timer
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

	first := tr.From == StatusUnknown // a check's first line is not counted
	if cl.timer == nil && (first || cl.room(tr.At, interval)) {
		tl.write(tr, crit, outage, 0)
		if !first {
			cl.count(tr.At)
		}
		return
	}
	// Flapping: fold, and write the latest transition once the older of
	// the last two lines is an interval old.
	if cl.pending != nil {
		cl.folded++
	}
	cl.pending, cl.pendingOut = &tr, outage
	if cl.timer == nil {
		cl.timer = clock.AfterFunc(cl.lines[0].Add(interval).Sub(tr.At), func() {
			tl.mu.Lock()
			defer tl.mu.Unlock()
			if cl.pending != nil {
				tl.write(*cl.pending, crit, cl.pendingOut, cl.folded)
				cl.count(clock.Now())
			}
			cl.pending, cl.folded, cl.timer = nil, 0, nil
		})
	}
}

// transitionBurst is how many lines of one check LogTransitions writes
// within an Interval before it folds: two, so that an outage and its
// recovery both show at once.
const transitionBurst = 2

// room reports whether a line at t keeps the check within transitionBurst
// lines per interval.
func (cl *checkLog) room(t time.Time, interval time.Duration) bool {
	return cl.lines[0].IsZero() || t.Sub(cl.lines[0]) >= interval
}

// count records a line written at t.
func (cl *checkLog) count(t time.Time) {
	copy(cl.lines[:], cl.lines[1:])
	cl.lines[len(cl.lines)-1] = t
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
