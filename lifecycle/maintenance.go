package lifecycle

import (
	"fmt"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Maintenance limits: a window lasts defaultMaintenance unless told
// otherwise, never more than maxMaintenance.
const (
	defaultMaintenance = time.Hour
	maxMaintenance     = 24 * time.Hour
	// ReasonMaintenance is Readiness's reason while the running service
	// is in maintenance (see EnterMaintenance).
	ReasonMaintenance = "maintenance"
)

// maintenance is a Lifecycle's maintenance window.
type maintenance struct {
	op    sync.Mutex // orders the changes and their hooks
	mu    sync.Mutex
	cur   checks.Maintenance
	timer checks.Timer
	gen   uint64 // of cur; an expiry of an older window does nothing
}

// active reports whether the window is on at now.
func (m *maintenance) active(now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur.Active && now.Before(m.cur.Until)
}

// EnterMaintenance takes the service out of rotation on purpose for d (0
// means 1 h): while it lasts, Readiness reads false
// with the reason "maintenance" once the service is running ("starting",
// "startup failed", "draining" and "stopped" come first), and Live and
// Started are unchanged, so no liveness probe restarts the replica. It
// ends by itself d later on the Lifecycle's clock, or with
// EndMaintenance. A call while in maintenance replaces the reason, who
// and the end, and keeps Since. reason says why and by who (the HTTP
// route passes the token's "sub"); both are logged at Info with the end.
// A d below zero or above 24 h is a *checks.ConfigError
// and changes nothing. The OnMaintenance hooks and OnReadiness are told
// before it returns. It returns the window now in force.
func (l *Lifecycle) EnterMaintenance(reason, by string, d time.Duration) (checks.Maintenance, error) {
	if d == 0 {
		d = defaultMaintenance
	}
	if d < 0 || d > maxMaintenance {
		return checks.Maintenance{}, &checks.ConfigError{Package: "lifecycle", Setting: "EnterMaintenance duration",
			Value: d.String(), Reason: fmt.Sprintf("want more than 0 and at most %s", maxMaintenance)}
	}
	m := &l.maint
	m.op.Lock()
	defer m.op.Unlock()
	now := l.cfg.clock.Now()
	m.mu.Lock()
	if m.timer != nil {
		m.timer.Stop()
	}
	since := now
	if m.cur.Active && now.Before(m.cur.Until) {
		since = m.cur.Since
	}
	m.gen++
	gen := m.gen
	m.cur = checks.Maintenance{Active: true, Reason: reason, By: by, Since: since, Until: now.Add(d)}
	cur := m.cur
	m.mu.Unlock()
	l.cfg.logger.Info("maintenance began", "reason", reason, "by", by, "until", cur.Until, "for", d)
	l.maintenanceChanged(cur)
	m.mu.Lock()
	if m.gen == gen { // arm once the hooks ran, so that the expiry comes after them
		m.timer = l.cfg.clock.AfterFunc(d, func() { l.endMaintenance(gen, "", true) })
	}
	m.mu.Unlock()
	return cur, nil
}

// EndMaintenance ends the maintenance window now, if one is on; by says
// who (logged at Info with the window's reason). It returns the window
// that ended and true, or the zero Maintenance and false when none was
// on. The OnMaintenance hooks (with the zero Maintenance) and OnReadiness
// are told before it returns.
func (l *Lifecycle) EndMaintenance(by string) (checks.Maintenance, bool) {
	l.maint.op.Lock()
	defer l.maint.op.Unlock()
	return l.endLocked(0, by, false)
}

// endMaintenance is the expiry of window gen.
func (l *Lifecycle) endMaintenance(gen uint64, by string, expired bool) {
	l.maint.op.Lock()
	defer l.maint.op.Unlock()
	l.endLocked(gen, by, expired)
}

// endLocked ends the window (only window gen when gen is not 0) with
// m.op held.
func (l *Lifecycle) endLocked(gen uint64, by string, expired bool) (checks.Maintenance, bool) {
	m := &l.maint
	m.mu.Lock()
	if !m.cur.Active || gen != 0 && gen != m.gen {
		m.mu.Unlock()
		return checks.Maintenance{}, false
	}
	old := m.cur
	m.cur = checks.Maintenance{}
	m.gen++
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	m.mu.Unlock()
	if expired {
		l.cfg.logger.Info("maintenance ended", "reason", old.Reason, "by", old.By, "expired", true)
	} else {
		l.cfg.logger.Info("maintenance ended", "reason", old.Reason, "ended_by", by)
	}
	l.maintenanceChanged(checks.Maintenance{})
	return old, true
}

// Maintenance returns the maintenance window in force, or the zero
// Maintenance (Active false) when there is none (a window past its end
// is over even before its timer ran).
func (l *Lifecycle) Maintenance() checks.Maintenance {
	m := &l.maint
	now := l.cfg.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.cur.Active || !now.Before(m.cur.Until) {
		return checks.Maintenance{}
	}
	return m.cur
}

// maintenanceChanged tells the hooks; call it with l.maint.op held and
// l.maint.mu not held.
func (l *Lifecycle) maintenanceChanged(cur checks.Maintenance) {
	emit(l.cfg.hooks, func(h Hooks) {
		if h.OnMaintenance != nil {
			h.OnMaintenance(cur)
		}
	})
	l.readinessChanged()
}
