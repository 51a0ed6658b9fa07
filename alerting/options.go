package alerting

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Defaults healthfx's settings start from.
const (
	// DefaultRepeatInterval is how often an alert still firing is repeated
	// to a sink (WithRepeatInterval); healthfx's
	// HEALTH_ALERT_REPEAT_INTERVAL defaults to it.
	DefaultRepeatInterval = 5 * time.Minute
	// DefaultErrorRate is Thresholds.ErrorRate's default: more than 10 % of
	// the executions over the last 10 minutes failed without turning the
	// check unhealthy. healthfx's
	// HEALTH_ALERT_ERROR_RATE_THRESHOLD defaults to it.
	DefaultErrorRate = 0.1
)

// Defaults no one outside reads; the docs of the fields they fill state
// their values.
const (
	// defaultMinRuns is Thresholds.MinRuns's default.
	defaultMinRuns = 10
	// defaultQueueSize is Sink.QueueSize's default.
	defaultQueueSize = 256
	// defaultTimeout is Sink.Timeout's default: one delivery attempt.
	defaultTimeout = 5 * time.Second
	// defaultMaxAttempts is how many times a delivery is attempted when it
	// fails with a retryable error.
	defaultMaxAttempts = 4
	// defaultResendInterval is the Alertmanager sink's repeat interval,
	// below Alertmanager's default resolve_timeout (5 m).
	defaultResendInterval = time.Minute
)

// Thresholds decide when a check's alerts fire. Zero fields take the
// defaults (WithDefaults, else the Default* constants); a negative
// ErrorRate or LatencyP95 disables that condition.
type Thresholds struct {
	// AfterFailures: CheckUnhealthy fires once the check is unhealthy and
	// failed this many executions in a row. Default: the check's own
	// FailureThreshold, so the alert fires with the status change. A value
	// below it acts as it: the check is not unhealthy before.
	AfterFailures int
	// ErrorRate: CheckErrorRate fires when the share of executions over
	// the last 10 minutes that failed without turning the check unhealthy
	// exceeds it. Default DefaultErrorRate (0.1).
	ErrorRate float64
	// LatencyP95: CheckLatencyHigh fires when the p95 latency over the
	// short trend window exceeds it. Default: disabled (latencies differ
	// too much between dependencies for one default).
	LatencyP95 time.Duration
	// MinRuns is the fewest executions in a condition's window for it to
	// fire (a window of two runs says little). Default 10.
	MinRuns int
}

// merge fills t's zero fields from d.
func (t Thresholds) merge(d Thresholds) Thresholds {
	if t.AfterFailures == 0 {
		t.AfterFailures = d.AfterFailures
	}
	if t.ErrorRate == 0 {
		t.ErrorRate = d.ErrorRate
	}
	if t.LatencyP95 == 0 {
		t.LatencyP95 = d.LatencyP95
	}
	if t.MinRuns == 0 {
		t.MinRuns = d.MinRuns
	}
	return t
}

// Option configures a Dispatcher.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	service, instance, url string
	repeat                 time.Duration
	defaults               Thresholds
	perCheck               map[string]Thresholds
	sinks                  []Sink
	logger                 *slog.Logger
	maxAttempts            int
	backoff                time.Duration
	flapChanges            int
	flapWindow             time.Duration
}

func defaultConfig() config {
	return config{
		service:     defaultService(),
		instance:    defaultInstance(),
		repeat:      DefaultRepeatInterval,
		defaults:    Thresholds{ErrorRate: DefaultErrorRate, LatencyP95: -1, MinRuns: defaultMinRuns},
		perCheck:    map[string]Thresholds{},
		logger:      slog.Default(),
		maxAttempts: defaultMaxAttempts,
		backoff:     500 * time.Millisecond,
		flapChanges: defaultFlapChanges,
		flapWindow:  defaultFlapWindow,
	}
}

// defaultService is the service name used without WithService: the base
// name of the executable, or "healthcheck" when it cannot be had.
func defaultService() string {
	if exe, err := os.Executable(); err == nil {
		if b := filepath.Base(exe); b != "" && b != "." && b != string(filepath.Separator) {
			return b
		}
	}
	return "healthcheck"
}

// defaultInstance is the instance used without WithInstance: the host name
// and the process ID ("web-1-4711"), so that several processes on one host
// are distinct replicas (on Kubernetes the host name is the pod's name).
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + "-" + strconv.Itoa(os.Getpid())
}

// WithService names the service in every event (Alertmanager's service
// label). Default: the base name of the executable, or "healthcheck"
// when it cannot be had. An empty name is ignored (healthfx passes
// HEALTH_SERVICE_NAME, empty by default).
func WithService(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.service = name
		}
	})
}

// WithInstance names this replica of the service (Alertmanager's instance
// label, which keeps two replicas' alerts apart, so that one replica's
// recovery never resolves another's alert). Default: the host name and the
// process ID, e.g. "web-1-4711" (on Kubernetes the host name is the pod's
// name), distinct for every process even when several share a host; give a
// stable name (healthfx: HEALTH_INSTANCE, e.g. the pod's name from the
// downward API) when dashboards should keep it across restarts. An empty
// name is ignored.
func WithInstance(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.instance = name
		}
	})
}

// WithStatusURL sets the status page's URL, sent as Alertmanager's
// generatorURL and the webhook payload's "url". Default none.
func WithStatusURL(u string) Option {
	return optionFunc(func(c *config) { c.url = u })
}

// WithRepeatInterval sets how often an alert still firing is repeated to
// sinks that set no RepeatInterval of their own (default
// DefaultRepeatInterval, 5 m; values of zero or below are ignored).
func WithRepeatInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.repeat = d
		}
	})
}

// WithDefaults sets the thresholds of every check; the zero fields of t
// keep the package defaults.
func WithDefaults(t Thresholds) Option {
	return optionFunc(func(c *config) { c.defaults = t.merge(c.defaults) })
}

// ForCheck sets the thresholds of one check, by name; its zero fields take
// the defaults (WithDefaults). Given twice for one name, the later wins.
func ForCheck(name string, t Thresholds) Option {
	return optionFunc(func(c *config) { c.perCheck[name] = t })
}

// WithSink adds a sink. Sinks with an empty name or a nil Publisher are
// refused by New.
func WithSink(s Sink) Option {
	return optionFunc(func(c *config) { c.sinks = append(c.sinks, s) })
}

// WithLogger sets where failed deliveries are logged (at WARN, with the
// sink's name and the failure's class, never a URL or secret): at most one
// line a minute per sink, with the count of failures since the last line
// ("failures"), and at Stop one line per sink with the failures not yet
// logged and the events left undelivered, queued or in flight. Default
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// withRetry sets the attempts per event (default defaultMaxAttempts, 4) and
// the first backoff (default 500 ms, doubling, with jitter, at most 30 s).
// Values below 1 (attempts) or 0 (backoff) are ignored.
func withRetry(attempts int, backoff time.Duration) Option {
	return optionFunc(func(c *config) {
		if attempts >= 1 {
			c.maxAttempts = attempts
		}
		if backoff > 0 {
			c.backoff = backoff
		}
	})
}
