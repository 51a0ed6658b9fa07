package healthfx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// AsAlertSink contributes an alert sink: constructor is any fx constructor
// returning alerting.Sink (optionally with an error), e.g. a
// Publisher of your own wrapped as alerting.Sink{Name: "pager", Publisher:
// p}. Each sink receives every event through its own bounded queue.
func AsAlertSink(constructor any) fx.Option {
	return fx.Provide(fx.Annotate(constructor, fx.ResultTags(`group:"health.alert_sinks"`)))
}

// AlertOptions contributes options of the alert dispatcher, applied after
// those made from the configuration: per-check thresholds
// (alerting.ForCheck), more sinks (alerting.WithSink), a status URL. Any
// number may be given.
func AlertOptions(opts ...alerting.Option) fx.Option {
	var out []fx.Option
	for _, o := range opts {
		out = append(out, fx.Provide(fx.Annotate(func() alerting.Option { return o }, fx.ResultTags(`group:"health.alert_options"`))))
	}
	return fx.Options(out...)
}

// validateAlerts checks the alert settings.
func (c Config) validateAlerts() error {
	switch {
	case c.AlertRepeatInterval < time.Minute:
		return c.bad("HEALTH_ALERT_REPEAT_INTERVAL", "want at least 1m")
	case c.AlertAfterFailures < 0:
		return c.bad("HEALTH_ALERT_AFTER_FAILURES", "must not be negative (0: the check's own failure threshold)")
	case c.AlertErrorRateThreshold < 0 || c.AlertErrorRateThreshold >= 1:
		return c.bad("HEALTH_ALERT_ERROR_RATE_THRESHOLD", "want a ratio from 0 (off) to under 1, e.g. 0.1")
	case c.AlertLatencyP95Threshold < 0:
		return c.bad("HEALTH_ALERT_LATENCY_P95_THRESHOLD", "must not be negative (0: off)")
	case c.WebhookSecret != "" && len(c.WebhookURLs) == 0:
		return c.bad("HEALTH_WEBHOOK_SECRET", "is set but HEALTH_WEBHOOK_URLS is empty")
	}
	if _, err := parseStatusPageURL(c.StatusPageURL); err != nil {
		return c.bad("HEALTH_STATUS_PAGE_URL", err.Error())
	}
	for _, u := range c.AlertmanagerURLs {
		if _, err := alerting.Alertmanager(u, alerting.AlertmanagerConfig{}); err != nil {
			return c.bad("HEALTH_ALERTMANAGER_URL", "want comma-separated absolute http or https URLs")
		}
	}
	if c.WebhookSecret != "" {
		if err := validWebhookSecret(c.WebhookSecret); err != nil {
			return c.bad("HEALTH_WEBHOOK_SECRET", configReason(err))
		}
	}
	for _, u := range c.WebhookURLs {
		if err := validWebhookURL(u); err != nil {
			return c.bad("HEALTH_WEBHOOK_URLS", err.Error())
		}
	}
	return nil
}

func parseAlertmanagerURLs(v string) ([]string, error) {
	list := splitList(v)
	for _, u := range list {
		if _, err := alerting.Alertmanager(u, alerting.AlertmanagerConfig{}); err != nil {
			return nil, errors.New("want comma-separated absolute http or https URLs, e.g. http://alertmanager:9093")
		}
	}
	return list, nil
}

func parseWebhookURLs(v string) ([]NamedURL, error) {
	var out []NamedURL
	for _, item := range splitList(v) {
		name, u, ok := strings.Cut(item, "=")
		if !ok {
			return nil, errors.New("want comma-separated name=url pairs (slack+https://… for Slack text)")
		}
		nu := NamedURL{Name: strings.TrimSpace(name), URL: strings.TrimSpace(u)}
		if err := validWebhookURL(nu); err != nil {
			return nil, err
		}
		out = append(out, nu)
	}
	return out, nil
}

func validWebhookURL(u NamedURL) error {
	_, err := alerting.Webhook(u.Name, strings.TrimPrefix(u.URL, "slack+"), alerting.WebhookConfig{})
	if err != nil || checks.ValidateName(u.Name) != nil || strings.HasPrefix(u.Name, "alertmanager") {
		return fmt.Errorf("want name=url pairs with names of printable ASCII without spaces, not starting with alertmanager, and absolute http or https URLs (slack+https://… for Slack text)")
	}
	return nil
}

func parseWebhookSecret(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	if err := validWebhookSecret(v); err != nil {
		return "", errors.New(configReason(err))
	}
	return v, nil
}

// validWebhookSecret checks secret the way the webhook sinks will: by
// building one with it (alerting's constructor is the one validation).
func validWebhookSecret(secret string) error {
	_, err := alerting.Webhook("secret", "http://localhost", alerting.WebhookConfig{Secret: secret})
	return err
}

// configReason is the Reason of err's *checks.ConfigError (what is
// accepted), else err's text.
func configReason(err error) string {
	if ce, ok := errors.AsType[*checks.ConfigError](err); ok && ce.Reason != "" {
		return ce.Reason
	}
	return err.Error()
}

func parseStatusPageURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") || strings.ContainsAny(v, " \t\r\n") {
		return "", errors.New("want an absolute http or https URL")
	}
	return v, nil
}

// newAlerting builds the alert dispatcher from the configuration and the
// contributed sinks and options, or returns nil when there is no sink.
func newAlerting(cfg Config, runner *checks.Runner, logger *slog.Logger, p params) (*alerting.Dispatcher, error) {
	opts := []alerting.Option{
		alerting.WithService(cfg.ServiceName),
		alerting.WithInstance(cfg.Instance),
		alerting.WithStatusURL(cfg.StatusPageURL),
		alerting.WithRepeatInterval(cfg.AlertRepeatInterval),
		alerting.WithLogger(logger),
		alerting.WithDefaults(alerting.Thresholds{
			AfterFailures: cfg.AlertAfterFailures,
			ErrorRate:     disabledAsNegative(cfg.AlertErrorRateThreshold),
			LatencyP95:    disabledAsNegativeDuration(cfg.AlertLatencyP95Threshold),
		}),
	}
	sinks := 0
	for i, u := range cfg.AlertmanagerURLs {
		name := "alertmanager"
		if i > 0 {
			name = fmt.Sprintf("alertmanager-%d", i+1)
		}
		s, err := alerting.Alertmanager(u, alerting.AlertmanagerConfig{Name: name})
		if err != nil {
			return nil, configError("HEALTH_ALERTMANAGER_URL", "", "want absolute http or https URLs")
		}
		opts = append(opts, alerting.WithSink(s))
		sinks++
	}
	for _, u := range cfg.WebhookURLs {
		wc := alerting.WebhookConfig{Secret: cfg.WebhookSecret}
		raw := u.URL
		if rest, ok := strings.CutPrefix(raw, "slack+"); ok {
			raw, wc.Format = rest, alerting.FormatSlack
		}
		s, err := alerting.Webhook(u.Name, raw, wc)
		if err != nil {
			return nil, configError("HEALTH_WEBHOOK_URLS", "", "want name=url pairs of absolute http or https URLs")
		}
		opts = append(opts, alerting.WithSink(s))
		sinks++
	}
	for _, s := range p.AlertSinks {
		opts = append(opts, alerting.WithSink(s))
		sinks++
	}
	opts = append(opts, p.AlertOpts...)
	if sinks == 0 && len(p.AlertOpts) == 0 {
		return nil, nil
	}
	d, err := alerting.New(runner, opts...)
	if err != nil {
		return nil, fmt.Errorf("healthfx: %w", err)
	}
	if p.Registerer != nil {
		if err := registerAlertCollector(p.Registerer, cfg.MetricsNamespace, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// appendAlertHooks starts the dispatcher before the health hook starts
// (so that a failed start still delivers its alerts, through fx's
// rollback) and stops it first on stop (resolving the alerts this replica
// has firing, and flushing them): after the drain, before checks in
// flight are cancelled, flushing within half the time left of the stop
// budget, at most 5 s, so the other stop hooks keep theirs.
func appendAlertHooks(lc fx.Lifecycle, d *alerting.Dispatcher, logger *slog.Logger, before bool) {
	stop := func(ctx context.Context) error {
		fctx, cancel := flushContext(ctx)
		defer cancel()
		if err := d.Stop(fctx); err != nil {
			logger.Warn("alerts not all delivered at shutdown", "error", err)
		}
		return nil
	}
	if before {
		lc.Append(fx.Hook{
			OnStart: func(context.Context) error { d.Start(); return nil },
			OnStop:  stop, // after a failed start (fx's rollback); otherwise a no-op
		})
		return
	}
	lc.Append(fx.Hook{OnStop: stop})
}

func flushContext(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := 5 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(dl)/2)
	}
	return context.WithTimeout(ctx, budget)
}

// alertCollector exports the dispatcher's per-sink counters at scrape
// time:
//
//	<ns>_health_alerts_sent_total{sink}      events delivered
//	<ns>_health_alerts_failed_total{sink}    events given up after retries, or refused (4xx)
//	<ns>_health_alerts_dropped_total{sink}   events dropped from a full queue, or abandoned at stop
//	<ns>_health_alerts_retries_total{sink}   delivery attempts after the first
//	<ns>_health_alerts_queue_length{sink}    events waiting
type alertCollector struct {
	d                                    atomic.Pointer[alerting.Dispatcher]
	sent, failed, dropped, retries, qlen *prometheus.Desc
}

func registerAlertCollector(reg prometheus.Registerer, namespace string, d *alerting.Dispatcher) error {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "health_alerts", name), help, []string{"sink"}, nil)
	}
	c := &alertCollector{
		sent:    desc("sent_total", "Alert events delivered, per sink."),
		failed:  desc("failed_total", "Alert events given up after retries or refused by the receiver, per sink."),
		dropped: desc("dropped_total", "Alert events dropped from a full queue or abandoned at shutdown, per sink."),
		retries: desc("retries_total", "Alert delivery attempts after the first, per sink."),
		qlen:    desc("queue_length", "Alert events waiting for delivery, per sink."),
	}
	c.d.Store(d)
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*alertCollector); ok {
			existing.d.Store(d)
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("healthfx: register alert metrics: %w", err)
	}
	return nil
}

// Describe implements prometheus.Collector.
func (c *alertCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sent, c.failed, c.dropped, c.retries, c.qlen} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *alertCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.d.Load()
	if d == nil {
		return
	}
	for _, s := range d.Stats() {
		k := func(desc *prometheus.Desc, v uint64) {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(v), s.Name)
		}
		k(c.sent, s.Sent)
		k(c.failed, s.Failed)
		k(c.dropped, s.Dropped)
		k(c.retries, s.Retries)
		ch <- prometheus.MustNewConstMetric(c.qlen, prometheus.GaugeValue, float64(s.Queued), s.Name)
	}
}
