package alerting

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// AlertmanagerConfig configures Alertmanager. Zero fields take the
// defaults.
type AlertmanagerConfig struct {
	// Name of the sink. Default "alertmanager".
	Name string
	// ResendInterval is how often alerts still firing are re-sent; keep it
	// well under Alertmanager's resolve_timeout (5 m by default). Each
	// firing alert carries endsAt = now + 4 x ResendInterval, so the alerts
	// of a service that died resolve by themselves. Default
	// 1 m.
	ResendInterval time.Duration
	// Header is added to every request (e.g. Authorization for an
	// Alertmanager behind a proxy). Never logged.
	Header http.Header
	// Client sends the requests. Default: a client of the sink's own (no
	// redirects, at most 2 connections, idle ones closed at Stop).
	Client *http.Client
	// QueueSize and Timeout: see Sink.
	QueueSize int
	Timeout   time.Duration
}

// Alertmanager returns a sink posting to the Alertmanager API v2 at
// baseURL (e.g. http://alertmanager:9093; "/api/v2/alerts" is appended to
// its path). For a highly available pair, add one sink per instance, as
// Prometheus does: each has its own queue, so one instance down never
// delays the other.
//
// Each event posts a JSON array of alerts with the labels alertname
// (CheckUnhealthy, CheckDegraded, CheckErrorRate, CheckLatencyHigh),
// check, service, severity and instance (when set), the annotations
// summary (Event.Summary) and description (the sanitized message),
// startsAt, endsAt and generatorURL (the status page, when set). A firing
// alert's endsAt is 4 resend intervals ahead; a resolving event sends
// endsAt = the time it resolved. A change between degraded and unhealthy
// resolves one alert and fires the other in one request.
//
// A baseURL that is not an absolute http or https URL gives a
// *checks.ConfigError, which never repeats the URL.
func Alertmanager(baseURL string, cfg AlertmanagerConfig) (Sink, error) {
	u, err := parseURL("Alertmanager baseURL", baseURL)
	if err != nil {
		return Sink{}, err
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v2/alerts"
	if cfg.Name == "" {
		cfg.Name = "alertmanager"
	}
	if cfg.ResendInterval <= 0 {
		cfg.ResendInterval = defaultResendInterval
	}
	p := &amPublisher{url: u.String(), header: cfg.Header, resend: cfg.ResendInterval, httpSink: httpSink{cfg.Client}}
	if p.client == nil {
		p.client = newClient()
	}
	return Sink{Name: cfg.Name, Publisher: p, RepeatInterval: cfg.ResendInterval,
		QueueSize: cfg.QueueSize, Timeout: cfg.Timeout}, nil
}

type amPublisher struct {
	httpSink
	url    string
	header http.Header
	resend time.Duration
}

// amAlert is one alert of the API v2 (postableAlert).
type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     string            `json:"startsAt,omitempty"`
	EndsAt       string            `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Publish posts the event's alerts.
func (p *amPublisher) Publish(ctx context.Context, e Event) error {
	body, err := json.Marshal(p.alerts(e))
	if err != nil {
		return checks.Permanent(err)
	}
	return post(ctx, p.client, p.url, body, p.header)
}

func (p *amPublisher) alerts(e Event) []amAlert {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	a := amAlert{
		Labels:       p.labels(e, e.Alert),
		Annotations:  map[string]string{"summary": e.Summary(), "description": e.Message},
		StartsAt:     ts(e.StartsAt),
		GeneratorURL: e.URL,
	}
	if e.Firing {
		a.EndsAt = ts(e.Time.Add(4 * p.resend))
	} else {
		a.EndsAt = ts(maxTime(e.Time, e.StartsAt))
	}
	out := []amAlert{a}
	if e.Replaces != "" {
		l := p.labels(e, e.Replaces)
		l["severity"] = string(alertSeverity(e.Replaces, e.Criticality)) // the replaced alert's own: the same labels
		out = append(out, amAlert{
			Labels:       l,
			Annotations:  map[string]string{"summary": e.Service + ": " + e.Check + " now " + e.Status.String()},
			StartsAt:     ts(e.ReplacesStartsAt),
			EndsAt:       ts(maxTime(e.Time, e.ReplacesStartsAt)),
			GeneratorURL: e.URL,
		})
	}
	return out
}

func (p *amPublisher) labels(e Event, alert string) map[string]string {
	l := map[string]string{"alertname": alert, "check": e.Check, "service": e.Service, "severity": string(e.Severity)}
	if e.Instance != "" {
		l["instance"] = e.Instance
	}
	return l
}

func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
