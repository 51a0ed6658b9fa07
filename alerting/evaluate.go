package alerting

import (
	"time"

	"github.com/echofx/healthcheck/checks"
)

// activeAlert is an alert that fires: the event that fired it (the
// template of its repeats) and when each sink last got it.
type activeAlert struct {
	event    Event
	lastSent []time.Time
	format   func(value float64) string // a condition's message, formatted at a repeat; nil for status alerts
}

// checkState is what the Dispatcher remembers of one check.
type checkState struct {
	th              Thresholds
	status          *activeAlert // CheckUnhealthy or CheckDegraded
	errorRate       *activeAlert
	latency         *activeAlert
	lastStatus      checks.Status // the status of the last status event (healthy before any)
	notHealthySince time.Time
	errors          rateWindow // runs and failures while the check was not unhealthy
	streak          uint32     // failures in a row not yet counted: they may turn into an outage

	flapping   *activeAlert  // CheckFlapping, while the check flaps
	seen       checks.Status // the status of the last result (healthy before any)
	changes    []time.Time   // when seen changed, the last flapChanges times
	lastChange time.Time
	last       checks.Result // the last result, to end the flapping from the repeat loop
	lastBase   Event
}

// alerts returns the check's alert slots.
func (st *checkState) alerts() [4]**activeAlert {
	return [...]**activeAlert{&st.status, &st.errorRate, &st.latency, &st.flapping}
}

// errorRateWindow is the window of the error-rate condition: failures that
// did not turn the check unhealthy, over the last 10 minutes.
const errorRateWindow = 10 * time.Minute

// rateBuckets is how many buckets a rateWindow has.
const rateBuckets = 10

// rateWindow counts runs and failures over errorRateWindow, in buckets of
// a tenth of it (a failure leaves the window at most a bucket early).
type rateWindow struct {
	buckets [rateBuckets]struct {
		start       time.Time
		runs, fails uint32
	}
}

func (w *rateWindow) add(t time.Time, runs, fails uint32) {
	width := errorRateWindow / rateBuckets
	start := t.Truncate(width)
	b := &w.buckets[(t.UnixNano()/int64(width))%rateBuckets]
	if !b.start.Equal(start) {
		b.start, b.runs, b.fails = start, 0, 0
	}
	b.runs += runs
	b.fails += fails
}

// sum returns the runs and failures of the buckets within the window
// ending at now.
func (w *rateWindow) sum(now time.Time) (runs, fails uint64) {
	from := now.Add(-errorRateWindow)
	for _, b := range w.buckets {
		if b.start.After(from) && !b.start.After(now) {
			runs += uint64(b.runs)
			fails += uint64(b.fails)
		}
	}
	return runs, fails
}

// countRun records r in the error-rate window. A failure counts once the
// check passes again without having turned unhealthy: the failures that
// turn it unhealthy are the outage (CheckUnhealthy), not an error rate.
func (st *checkState) countRun(r checks.Result) {
	switch {
	case r.Status == checks.StatusUnhealthy:
		st.streak = 0
	case r.Observed == checks.StatusUnhealthy:
		st.streak++
	default:
		st.errors.add(r.Time, st.streak+1, st.streak)
		st.streak = 0
	}
}

// thresholds returns the thresholds of the named check, defaults applied.
func (d *Dispatcher) thresholds(name string) Thresholds {
	th := d.cfg.perCheck[name].merge(d.cfg.defaults)
	if th.AfterFailures <= 0 {
		th.AfterFailures = 1
		if c, ok := d.runner.Lookup(name); ok && c.FailureThreshold > 0 {
			th.AfterFailures = c.FailureThreshold
		}
	}
	if th.MinRuns <= 0 {
		th.MinRuns = 1
	}
	return th
}

// observe is the runner's OnResult hook: it updates the check's alerts and
// queues the events. It never blocks.
func (d *Dispatcher) observe(r checks.Result) {
	if len(d.queues) == 0 || d.closed.Load() || r.Status == checks.StatusUnknown {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Load() {
		return
	}
	st := d.states[r.Name]
	if st == nil {
		st = &checkState{th: d.thresholds(r.Name), seen: checks.StatusHealthy}
		d.states[r.Name] = st
	}
	base := Event{
		Check: r.Name, Criticality: r.Criticality, Severity: severityOf(r.Criticality),
		Status: r.Status, Message: r.Message, Time: r.Time,
		Service: d.cfg.service, Instance: d.cfg.instance, URL: d.cfg.url,
	}
	if d.flaps(st, r, base) {
		d.evaluateFlapping(st, r, base)
	} else {
		d.evaluateStatus(st, r, base)
	}
	if st.th.ErrorRate > 0 {
		st.countRun(r)
		d.evaluateErrorRate(st, r, base)
	}
	if st.th.LatencyP95 > 0 {
		d.evaluateLatency(st, r, base)
	}
}

func (d *Dispatcher) evaluateStatus(st *checkState, r checks.Result, base Event) {
	if r.Status != checks.StatusHealthy && st.notHealthySince.IsZero() {
		st.notHealthySince = r.Time
	}
	fire := func(kind Kind, alert string) {
		e := base
		e.ID, e.Kind, e.Alert, e.Firing, e.StartsAt, e.Previous = newID(), kind, alert, true, r.Time, st.lastStatus
		if old := st.status; old != nil {
			e.Replaces, e.ReplacesStartsAt = old.event.Alert, old.event.StartsAt
		}
		st.status = &activeAlert{event: e, lastSent: make([]time.Time, len(d.queues))}
		st.lastStatus = r.Status
		d.emit(st.status, e)
	}
	cur := ""
	if st.status != nil {
		cur = st.status.event.Alert
	}
	switch r.Status {
	case checks.StatusUnhealthy:
		switch {
		case cur == AlertUnhealthy:
			st.status.event.Message = r.Message
		case r.ConsecutiveFailures >= st.th.AfterFailures:
			fire(KindUnhealthy, AlertUnhealthy)
		}
	case checks.StatusDegraded:
		if cur == AlertDegraded {
			st.status.event.Message = r.Message
		} else {
			fire(KindDegraded, AlertDegraded)
		}
	case checks.StatusHealthy:
		if a := st.status; a != nil {
			e := base
			e.ID, e.Kind, e.Alert, e.Firing = newID(), KindRecovered, a.event.Alert, false
			e.Previous, e.StartsAt, e.Outage = a.event.Status, a.event.StartsAt, r.Time.Sub(st.notHealthySince)
			st.status = nil
			d.emit(nil, e)
		}
		st.lastStatus = checks.StatusHealthy
		st.notHealthySince = time.Time{}
	}
}

// evaluateErrorRate fires and resolves the error-rate condition from the
// failures that did not turn the check unhealthy, over errorRateWindow. Its
// severity is warning whatever the check's criticality: an outage is
// CheckUnhealthy's.
func (d *Dispatcher) evaluateErrorRate(st *checkState, r checks.Result, base Event) {
	runs, fails := st.errors.sum(r.Time)
	rate := 0.0
	if runs > 0 {
		rate = float64(fails) / float64(runs)
	}
	base.Severity = SeverityWarning
	d.condition(&st.errorRate, base, r, condition{
		alert: AlertErrorRate, fire: KindErrorRate, resolve: KindErrorRateResolved,
		value: rate, threshold: st.th.ErrorRate, window: errorRateWindow, runs: runs, minRuns: st.th.MinRuns,
		what: "error rate",
	})
}

// evaluateLatency fires and resolves the latency condition from the
// check's short trend window.
func (d *Dispatcher) evaluateLatency(st *checkState, r checks.Result, base Event) {
	t, err := d.runner.Trends(r.Name)
	short := t.Short
	if err != nil || short.Window == 0 { // unknown check, or trends off
		return
	}
	d.condition(&st.latency, base, r, condition{
		alert: AlertLatency, fire: KindLatency, resolve: KindLatencyResolved,
		value: short.P95.Seconds(), threshold: st.th.LatencyP95.Seconds(), window: short.Window,
		runs: short.Runs, minRuns: st.th.MinRuns, what: "p95 latency", latency: true,
	})
}

type condition struct {
	alert         string
	fire, resolve Kind
	value         float64
	threshold     float64
	window        time.Duration
	runs          uint64
	minRuns       int
	what          string
	latency       bool
}

// condition fires *slot when c's value exceeds its threshold over enough
// runs, and resolves it when the value is back at or under it.
func (d *Dispatcher) condition(slot **activeAlert, base Event, r checks.Result, c condition) {
	a := *slot
	firing := a == nil && c.value > c.threshold && c.runs >= uint64(c.minRuns)
	switch {
	case a == nil && !firing:
		return // the common case: nothing fires, nothing to format
	case a != nil && c.value > c.threshold:
		a.event.Value, a.event.Status = c.value, r.Status // the message is formatted when repeated
		return
	}
	e := base
	e.Value, e.Threshold, e.Alert, e.Previous = c.value, c.threshold, c.alert, r.Status
	e.Message = conditionMessage(c.what, c.value, c.threshold, c.window, c.latency)
	switch {
	case firing:
		e.ID, e.Kind, e.Firing, e.StartsAt = newID(), c.fire, true, r.Time
		*slot = &activeAlert{event: e, lastSent: make([]time.Time, len(d.queues)), format: func(v float64) string {
			return conditionMessage(c.what, v, c.threshold, c.window, c.latency)
		}}
		d.emit(*slot, e)
	case a != nil && c.value <= c.threshold:
		e.ID, e.Kind, e.Firing, e.StartsAt, e.Outage = newID(), c.resolve, false, a.event.StartsAt, r.Time.Sub(a.event.StartsAt)
		*slot = nil
		d.emit(nil, e)
	}
}
