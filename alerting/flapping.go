package alerting

import (
	"fmt"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Flapping: a check whose status changes flapChanges times (more than 4)
// within
// flapWindow is reported once, as CheckFlapping, instead of change by
// change; once it has kept one status for flapWindow, one event says where
// it settled.
const (
	defaultFlapChanges = 5 // more than 4
	defaultFlapWindow  = 2 * time.Minute
)

// WithFlapping sets when a check flaps: when its status changes changes
// times within window (defaults 5 and 2 minutes: "more than 4 changes in
// 2 minutes"). Zero keeps a default; checks.Off (any negative changes)
// turns the folding off, so that every change is an event of its own, as
// a check used to generate traffic needs (the fault tests do).
func WithFlapping(changes int, window time.Duration) Option {
	return optionFunc(func(c *config) {
		switch {
		case changes < 0:
			c.flapChanges = 0 // off
		case changes > 0:
			c.flapChanges = changes
		}
		if window > 0 {
			c.flapWindow = window
		}
	})
}

// flaps records r's status change and reports whether the check's status
// events are folded: it flaps now, or did and has not settled yet.
func (d *Dispatcher) flaps(st *checkState, r checks.Result, base Event) bool {
	st.last, st.lastBase = r, base
	if d.cfg.flapChanges < 1 {
		return false
	}
	if r.Status != st.seen {
		st.seen, st.lastChange = r.Status, r.Time
		if len(st.changes) == d.cfg.flapChanges {
			copy(st.changes, st.changes[1:])
			st.changes = st.changes[:len(st.changes)-1]
		}
		st.changes = append(st.changes, r.Time)
	}
	return st.flapping != nil ||
		len(st.changes) == d.cfg.flapChanges && r.Time.Sub(st.changes[0]) <= d.cfg.flapWindow
}

// evaluateFlapping fires CheckFlapping when the check starts flapping (it
// replaces the status alert firing, if any), and ends it once the check
// has kept its status for the window: one event with where it settled.
func (d *Dispatcher) evaluateFlapping(st *checkState, r checks.Result, base Event) {
	if st.flapping == nil {
		e := base
		e.ID, e.Kind, e.Alert, e.Firing, e.StartsAt = newID(), KindFlapping, AlertFlapping, true, r.Time
		e.Severity, e.Previous = SeverityWarning, st.lastStatus
		e.Message = fmt.Sprintf("status changed %d times within %v", len(st.changes), d.cfg.flapWindow)
		if old := st.status; old != nil {
			e.Replaces, e.ReplacesStartsAt = old.event.Alert, old.event.StartsAt
			st.status = nil
		}
		st.flapping = &activeAlert{event: e, lastSent: make([]time.Time, len(d.queues))}
		d.emit(st.flapping, e)
		return
	}
	if r.Time.Sub(st.lastChange) < d.cfg.flapWindow {
		st.flapping.event.Status = r.Status
		return
	}
	d.settle(st, r, base)
}

// settle ends the flapping with one event: the status alert of where the
// check settled fires in its place, or, healthy, CheckFlapping resolves
// as recovered.
func (d *Dispatcher) settle(st *checkState, r checks.Result, base Event) {
	f := st.flapping
	st.flapping, st.changes = nil, st.changes[:0]
	e := base
	e.Time, e.Status, e.Previous = r.Time, r.Status, r.Status
	switch r.Status {
	case checks.StatusUnhealthy, checks.StatusDegraded:
		e.Kind, e.Alert = KindUnhealthy, AlertUnhealthy
		if r.Status == checks.StatusDegraded {
			e.Kind, e.Alert = KindDegraded, AlertDegraded
		}
		e.ID, e.Firing, e.StartsAt = newID(), true, r.Time
		e.Replaces, e.ReplacesStartsAt = AlertFlapping, f.event.StartsAt
		st.status = &activeAlert{event: e, lastSent: make([]time.Time, len(d.queues))}
		st.notHealthySince = st.lastChange
		d.emit(st.status, e)
	default:
		e.ID, e.Kind, e.Alert, e.Firing, e.Severity = newID(), KindRecovered, AlertFlapping, false, SeverityWarning
		e.StartsAt, e.Outage = f.event.StartsAt, r.Time.Sub(f.event.StartsAt)
		st.notHealthySince = time.Time{}
		d.emit(nil, e)
	}
	st.lastStatus = r.Status
}

// settleQuiet ends the flapping of checks that settled without a new
// result since (from the repeat loop). d.mu is held.
func (d *Dispatcher) settleQuiet(now time.Time) {
	for _, st := range d.states {
		if st.flapping != nil && now.Sub(st.lastChange) >= d.cfg.flapWindow {
			r, base := st.last, st.lastBase
			r.Time, base.Time = now, now
			d.settle(st, r, base)
		}
	}
}
