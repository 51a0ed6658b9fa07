package alerting

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Kind is what an Event reports. Its string is the webhook payload's
// "event".
type Kind string

// The kinds of events: the values of Event.Kind, for a Publisher of your
// own to switch on (Example prints them), and of the webhook payload's
// "event".
const (
	// KindUnhealthy: the check turned unhealthy (alert CheckUnhealthy fires).
	KindUnhealthy Kind = "unhealthy"
	// KindDegraded: the check turned degraded (alert CheckDegraded fires).
	KindDegraded Kind = "degraded"
	// KindRecovered: the check is healthy again; the status alert that
	// fired resolves, and Outage says how long the check was not healthy.
	KindRecovered Kind = "recovered"
	// KindErrorRate: the rate of failures that did not turn the check
	// unhealthy, over the last 10 minutes, exceeds the threshold (alert
	// CheckErrorRate fires, as a warning).
	KindErrorRate Kind = "error_rate"
	// KindErrorRateResolved: the error rate is back under the threshold.
	KindErrorRateResolved Kind = "error_rate_resolved"
	// KindLatency: the p95 latency over the short window exceeds the
	// threshold (alert CheckLatencyHigh fires).
	KindLatency Kind = "latency"
	// KindLatencyResolved: the p95 latency is back under the threshold.
	KindLatencyResolved Kind = "latency_resolved"
	// KindFlapping: the check's status changed more than 4 times within 2
	// minutes (alert CheckFlapping fires, as a warning, replacing the status alert
	// firing); its changes are not sent one by one until it has kept one
	// status for 2 minutes. Then one event says where it settled: the
	// status alert fires in CheckFlapping's place (KindUnhealthy or
	// KindDegraded, Replaces AlertFlapping), or, healthy, a KindRecovered
	// of AlertFlapping.
	KindFlapping Kind = "flapping"
	// KindResolved: the alert resolves for a reason other than the check
	// (Event.Reason): at Stop, every alert this instance has firing
	// resolves with ReasonStopped, so that a replica gone away leaves no
	// alert behind (Alertmanager gets endsAt now).
	KindResolved Kind = "resolved"
)

// The alert names (Alertmanager's alertname label, Event.Alert), for
// Alertmanager routes and inhibit rules and for a Publisher of your own;
// healthfx's tests match AlertUnhealthy on a real Alertmanager. They differ
// from the Prometheus rules of the deploy kit (HealthCheck*), so that both
// can feed one Alertmanager.
const (
	// AlertUnhealthy fires while a check is unhealthy (KindUnhealthy).
	AlertUnhealthy = "CheckUnhealthy"
	// AlertDegraded fires while a check is degraded (KindDegraded).
	AlertDegraded = "CheckDegraded"
	// AlertErrorRate fires while a check's error rate is above its
	// threshold (KindErrorRate).
	AlertErrorRate = "CheckErrorRate"
	// AlertLatency fires while a check's p95 latency is above its
	// threshold (KindLatency).
	AlertLatency = "CheckLatencyHigh"
	// AlertFlapping fires while a check flaps (KindFlapping).
	AlertFlapping = "CheckFlapping"
)

// ReasonStopped is the Reason of the KindResolved events Stop sends for the
// alerts this instance has firing.
const ReasonStopped = "instance stopped"

// Severity is an alert's severity label.
type Severity string

// The severities (Event.Severity, Alertmanager's severity label), for
// routes and for a Publisher of your own that pages on critical alerts
// only (Example prints them).
const (
	// SeverityCritical: the alerts of a Required check.
	SeverityCritical Severity = "critical"
	// SeverityWarning: the alerts of an Optional check.
	SeverityWarning Severity = "warning"
)

// alertSeverity returns the severity of a check's alert: warning for
// CheckErrorRate and CheckFlapping, else the check's (severityOf).
func alertSeverity(alert string, c checks.Criticality) Severity {
	if alert == AlertErrorRate || alert == AlertFlapping {
		return SeverityWarning
	}
	return severityOf(c)
}

// severityOf returns the severity of a check's alerts.
func severityOf(c checks.Criticality) Severity {
	if c == checks.Required {
		return SeverityCritical
	}
	return SeverityWarning
}

// Event is one alert event, delivered to every sink. Events are values;
// a Publisher must not modify them.
type Event struct {
	// ID is unique per event (a repeat gets a new one); webhooks always
	// send it as header webhook-id (signed or not), so a receiver can drop
	// a retried duplicate.
	ID string
	// Kind is what happened.
	Kind Kind
	// Alert is the alert the event is about (AlertUnhealthy, ...).
	Alert string
	// Firing is true while Alert fires (first event and repeats), false
	// when it resolves (KindRecovered, Kind*Resolved).
	Firing bool
	// Repeat marks the re-send of an alert still firing.
	Repeat bool
	// Replaces, on a change between degraded and unhealthy, is the alert
	// that ends as Alert fires, and ReplacesStartsAt when it began.
	Replaces         string
	ReplacesStartsAt time.Time
	// Check is the check's name; Criticality and Severity follow it.
	Check       string
	Criticality checks.Criticality
	Severity    Severity
	// Status is the check's reported status now, Previous the one before
	// the event (for a repeat, the same as Status).
	Status, Previous checks.Status
	// Message is the check's sanitized message (for a condition, the
	// figures), safe to show anyone.
	Message string
	// Service and Instance name where the check runs (WithService,
	// WithInstance); URL is the status page (WithStatusURL), or "".
	Service, Instance, URL string
	// Time is when the event happened (the runner's clock).
	Time time.Time
	// StartsAt is when Alert began firing.
	StartsAt time.Time
	// Outage, on a resolving event, is how long the check was not healthy
	// (KindRecovered) or the condition fired.
	Outage time.Duration
	// Value and Threshold are the figures of a condition: the error rate
	// (0 to 1) or the p95 latency in seconds, and the threshold.
	Value, Threshold float64
	// Reason, on a KindResolved event, says why the alert resolves
	// (ReasonStopped); "" otherwise.
	Reason string
}

// Summary is a one-line text of the event, e.g. "orders: database
// unhealthy: connection refused" or "orders: database recovered after
// 1m30s". Alertmanager's summary annotation and the Slack text use it.
func (e Event) Summary() string {
	s := e.Service + ": " + e.Check + " "
	switch e.Kind {
	case KindUnhealthy, KindDegraded:
		s += string(e.Kind)
	case KindRecovered:
		if e.Alert == AlertFlapping {
			return s + "stopped flapping (healthy) after " + roundDuration(e.Outage).String()
		}
		return s + "recovered after " + roundDuration(e.Outage).String()
	case KindErrorRate:
		s += "error rate high"
	case KindErrorRateResolved:
		s += "error rate back to normal"
	case KindLatency:
		s += "p95 latency high"
	case KindLatencyResolved:
		s += "p95 latency back to normal"
	case KindFlapping:
		s += "flapping"
	case KindResolved:
		return s + e.Alert + " resolved: " + e.Reason
	default:
		s += string(e.Kind)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Minute:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}

// WebhookPayload is the JSON body a webhook receives (Event.Payload):
//
//	{
//	  "id": "evt_5f0c…",             // also the webhook-id header
//	  "event": "unhealthy",          // unhealthy, degraded, recovered, error_rate,
//	                                 // error_rate_resolved, latency, latency_resolved,
//	                                 // resolved
//	  "alert": "CheckUnhealthy",     // Alertmanager's alertname for it
//	  "firing": true,                // false when the alert resolves
//	  "repeat": false,               // a re-send of an alert still firing
//	  "check": "database",
//	  "status": "unhealthy",         // the check's status now
//	  "previous_status": "healthy",
//	  "message": "connection refused", // sanitized: never a DSN, host or secret
//	  "severity": "critical",        // required check: critical, optional: warning
//	  "criticality": "required",
//	  "service": "orders",
//	  "instance": "orders-7d9f",
//	  "time": "2026-12-04T15:04:05.123Z",
//	  "started_at": "2026-12-04T15:04:05.123Z", // when the alert began firing
//	  "outage_seconds": 93.2,        // on recovered and *_resolved only
//	  "value": 0.35, "threshold": 0.1, // conditions only: error rate, or p95 seconds
//	  "url": "https://orders.example/healthcheck/status", // when configured
//	  "reason": "instance stopped"   // on resolved only: why the alert resolves
//	}
type WebhookPayload struct {
	ID             string    `json:"id"`
	Event          Kind      `json:"event"`
	Alert          string    `json:"alert"`
	Firing         bool      `json:"firing"`
	Repeat         bool      `json:"repeat"`
	Check          string    `json:"check"`
	Status         string    `json:"status"`
	PreviousStatus string    `json:"previous_status"`
	Message        string    `json:"message"`
	Severity       Severity  `json:"severity"`
	Criticality    string    `json:"criticality"`
	Service        string    `json:"service"`
	Instance       string    `json:"instance,omitempty"`
	Time           time.Time `json:"time"`
	StartedAt      time.Time `json:"started_at"`
	OutageSeconds  *float64  `json:"outage_seconds,omitempty"`
	Value          *float64  `json:"value,omitempty"`
	Threshold      *float64  `json:"threshold,omitempty"`
	URL            string    `json:"url,omitempty"`
	Reason         string    `json:"reason,omitempty"`
}

// Payload returns the event as a webhook's JSON body.
func (e Event) payload() WebhookPayload {
	p := WebhookPayload{
		ID: e.ID, Event: e.Kind, Alert: e.Alert, Firing: e.Firing, Repeat: e.Repeat,
		Check: e.Check, Status: e.Status.String(), PreviousStatus: e.Previous.String(),
		Message: e.Message, Severity: e.Severity, Criticality: e.Criticality.String(),
		Service: e.Service, Instance: e.Instance, Time: e.Time.UTC(), StartedAt: e.StartsAt.UTC(), URL: e.URL,
		Reason: e.Reason,
	}
	if !e.Firing {
		o := e.Outage.Seconds()
		p.OutageSeconds = &o
	}
	if e.Alert == AlertErrorRate || e.Alert == AlertLatency {
		v, t := e.Value, e.Threshold
		p.Value, p.Threshold = &v, &t
	}
	return p
}

// newID returns a random event ID.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "evt_" + hex.EncodeToString(b[:])
}

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

func conditionMessage(what string, value, threshold float64, window time.Duration, latency bool) string {
	if latency {
		return fmt.Sprintf("%s %v over %v (threshold %v)", what,
			roundDuration(time.Duration(value*float64(time.Second))), window,
			roundDuration(time.Duration(threshold*float64(time.Second))))
	}
	return fmt.Sprintf("%s %s over %v (threshold %s)", what, percent(value), window, percent(threshold))
}
