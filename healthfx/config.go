package healthfx

import (
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
	"github.com/echofx/healthcheck/pgstore"
)

// Config is the module's configuration. Each field names its environment
// variable and default; durations accept Go syntax ("2s", "1m30s") or
// plain seconds ("30", "0.5"); booleans accept strconv.ParseBool's forms.
//
// # Precedence
//
// One rule for every setting, lowest first:
//
//  1. DefaultConfig, the defaults written below;
//  2. the code's defaults: SetDefaults (fx), or fields set on a Config
//     before WithEnv;
//  3. the environment: every HEALTH_* variable that is set (WithEnv);
//  4. fx.Decorate or fx.Replace of *Config, the last word.
//
// Validate then checks the result; its errors name where the bad value
// came from: the environment variable when the value is the one the
// environment gave, else the Config field ("Config.Timeout (set in code)").
type Config struct {
	// Timeout bounds each check's execution. HEALTH_CHECK_TIMEOUT, default
	// 5s (30 is accepted, but exceeds a Kubernetes probe's timeout; probes
	// never wait for it, see ProbeBudget).
	Timeout time.Duration
	// Interval is the periodic runner's period per check.
	// HEALTH_CHECK_INTERVAL, default 15s.
	Interval time.Duration
	// CacheTTL is how long a result is served without a refresh.
	// HEALTH_CHECK_CACHE_TTL, default 1s.
	CacheTTL time.Duration
	// ProbeBudget is the longest a probe (public, live, ready) waits for a
	// required check that has no result yet, before answering from what
	// exists; keep it under the probe's timeoutSeconds (Kubernetes: 1 s by
	// default). HEALTH_PROBE_BUDGET, default 500ms; 0 never waits.
	ProbeBudget time.Duration
	// Level decides which checks count for the public route and /ready:
	// basic, standard or comprehensive. HEALTH_CHECK_LEVEL, default
	// standard. The detailed route shows every level unless asked.
	Level checks.Level

	// Database adds the "database" check when the app provides a
	// *pgxpool.Pool or a *sql.DB (see DatabaseSQL); false leaves them out
	// (for an app that registers its own). HEALTH_CHECK_DATABASE, default
	// true. The other Database* settings apply to both checks.
	Database bool
	// DatabaseName names that check. HEALTH_CHECK_DATABASE_NAME, default
	// "database".
	DatabaseName string
	// DatabaseRequired makes the database check required (it blocks the
	// start and fails the public route); false makes it optional (it only
	// degrades). HEALTH_CHECK_DATABASE_REQUIRED, default true.
	DatabaseRequired bool
	// DatabaseLevel is the narrowest level the database check belongs to.
	// HEALTH_CHECK_DATABASE_LEVEL, default basic.
	DatabaseLevel checks.Level
	// DatabaseSlowThreshold: a slower probe reads degraded.
	// HEALTH_CHECK_DATABASE_SLOW_THRESHOLD, default 1s; 0 disables.
	DatabaseSlowThreshold time.Duration
	// DatabasePoolThreshold: a pool with this share of its connections
	// acquired reads degraded. HEALTH_CHECK_DATABASE_POOL_THRESHOLD,
	// default 0.9; 0 disables.
	DatabasePoolThreshold float64
	// DatabaseSQL adds a check of the app's *sql.DB (checks/sqlcheck: any
	// database/sql driver) when the app provides one and Database is true;
	// false leaves it out, e.g. when that *sql.DB is the *pgxpool.Pool
	// seen through pgx's stdlib. HEALTH_CHECK_DATABASE_SQL, default true.
	DatabaseSQL bool
	// DatabaseSQLName names the *sql.DB check when the app provides a
	// *pgxpool.Pool too, whose check keeps DatabaseName; alone, the *sql.DB
	// check is named DatabaseName. HEALTH_CHECK_DATABASE_SQL_NAME, default
	// "sql".
	DatabaseSQLName string

	// ExternalAPIs enables the HTTP checks of ExternalURLs.
	// HEALTH_CHECK_EXTERNAL_APIS, default true.
	ExternalAPIs bool
	// ExternalURLs are the upstreams to check, by name.
	// HEALTH_CHECK_EXTERNAL_URLS, comma-separated name=url; default none.
	ExternalURLs []NamedURL
	// ExternalRequired makes those checks required (default optional).
	// HEALTH_CHECK_EXTERNAL_REQUIRED, default false.
	ExternalRequired bool
	// DownstreamURLs are other services running this library (or speaking
	// application/health+json), checked on their public route, e.g.
	// orders=http://orders:8788/healthcheck/. Their answer maps to
	// healthy, degraded or unhealthy with their own message (see
	// downstream.New). HEALTH_CHECK_DOWNSTREAM_URLS, default none.
	DownstreamURLs []NamedURL
	// DownstreamRequired makes those checks required (default optional).
	// HEALTH_CHECK_DOWNSTREAM_REQUIRED, default false.
	DownstreamRequired bool
	// DownstreamTokenFile holds a bearer token for the downstream services'
	// detailed routes (re-read when it changes); with it their checks
	// appear nested in the details. HEALTH_CHECK_DOWNSTREAM_TOKEN_FILE,
	// default none.
	DownstreamTokenFile string

	// PathPrefix is where the routes live. HEALTH_PATH_PREFIX, default
	// /healthcheck.
	PathPrefix string
	// Live serves {prefix}/live. HEALTH_ROUTE_LIVE, default true.
	Live bool
	// Ready serves {prefix}/ready. HEALTH_ROUTE_READY, default true.
	Ready bool
	// Startup serves {prefix}/startup (503 until the startup gate passed,
	// then 200 for good: a Kubernetes startupProbe). HEALTH_ROUTE_STARTUP,
	// default true.
	Startup bool
	// Groups are health groups, each served at {prefix}/group/{name} like
	// the public route over its checks, and as a gRPC service by
	// grpchealth.WithGroups. HEALTH_GROUPS, e.g.
	// "core=database+migrations,cache=redis"; default none. A group's name
	// is 1 to 64 ASCII letters, digits, '-', '_' and '.', not "." or ".."
	// (safe in a path segment), and not a check's (see checks.Group). A
	// group naming a check that is not registered is refused at fx.New.
	Groups []checks.Group
	// MetricsPath, when set, serves the injected registry (which must also
	// be a prometheus.Gatherer, as *prometheus.Registry is) at that path on
	// the same router. HEALTH_METRICS_PATH, default none.
	MetricsPath string
	// Detailed enables {prefix}/detailed behind a JWT; it requires
	// JWTSecret, JWTPublicKeyFile or JWTJWKSURL, unless the app provides
	// an httphealth.Authenticator, which then replaces the JWT.
	// HEALTH_CHECK_DETAILED, default false.
	Detailed bool
	// StatusPage serves {prefix}/status, a self-contained page for people
	// (it needs Detailed: with a token it reads the detailed route).
	// HEALTH_STATUS_PAGE, default true.
	StatusPage bool
	// StatusPagePublicDetails shows anonymous viewers of the status page
	// the public route's failure message (only with PublicErrors).
	// HEALTH_STATUS_PAGE_PUBLIC_DETAILS, default false.
	StatusPagePublicDetails bool
	// JWTSecret is the HMAC key: at least 32 bytes, not blank, not one
	// byte repeated. HEALTH_JWT_SECRET.
	JWTSecret string
	// JWTPublicKeyFile is a PEM file with an RSA, ECDSA or Ed25519 public
	// key. HEALTH_JWT_PUBLIC_KEY_FILE.
	JWTPublicKeyFile string
	// JWTJWKSURL is an identity provider's JWKS (https://, or http:// to a
	// loopback host): tokens are verified with the key their "kid" names,
	// fetched in the background from start to stop, again every
	// JWTJWKSRefresh and when a token names an unknown kid (at most once
	// per 5 minutes; no request waits more than 1 s), so
	// keys the provider rotates in are accepted and keys it drops are
	// refused. Algorithms default to RS256; excludes JWTSecret and
	// JWTPublicKeyFile. HEALTH_JWT_JWKS_URL, default none.
	JWTJWKSURL string
	// JWTJWKSRefresh is how often the JWKS is fetched again.
	// HEALTH_JWT_JWKS_REFRESH, default 1h, at least 1m.
	JWTJWKSRefresh time.Duration
	// JWTAlgorithms are the accepted signing algorithms.
	// HEALTH_JWT_ALGORITHMS, comma-separated; default: the key's own, HS256
	// with a secret, and with a public key RS256 (RSA), ES256/ES384/ES512
	// (by the ECDSA curve) or EdDSA (Ed25519).
	JWTAlgorithms []string
	// JWTIssuer and JWTAudience, when set, must match the token's iss and
	// aud. HEALTH_JWT_ISSUER, HEALTH_JWT_AUDIENCE.
	JWTIssuer, JWTAudience string
	// JWTMaxAge, when set, refuses tokens whose lifetime (exp - iat)
	// exceeds it, and tokens without iat. HEALTH_JWT_MAX_AGE, default none.
	JWTMaxAge time.Duration

	// HistorySize is how many recent results each check keeps for the
	// detailed route's history. HEALTH_HISTORY_SIZE, default 20, at most
	// checks.MaxHistorySize (10000; more is a *checks.ConfigError). A history
	// grows as results arrive: about 150 bytes per result held, plus its
	// message.
	HistorySize int
	// TrendsShortWindow and TrendsLongWindow are the windows of each
	// check's success rate and latency percentiles (12.7 KB per check, up
	// to 20.7 KB with its last 100 transitions). HEALTH_TRENDS_SHORT_WINDOW, default 1h (at least 1m);
	// HEALTH_TRENDS_LONG_WINDOW, default 24h (at least the short one).
	TrendsShortWindow, TrendsLongWindow time.Duration

	// StartupMaxWait bounds the startup gate, which goes on in the
	// background after fx's start returns. HEALTH_STARTUP_MAX_WAIT,
	// default 60s.
	StartupMaxWait time.Duration
	// StartupMaxAttempts bounds the gate's attempts; 0 means bounded by
	// StartupMaxWait only. HEALTH_STARTUP_MAX_ATTEMPTS, default 0.
	StartupMaxAttempts int
	// StartupInitialBackoff and StartupMaxBackoff cap the gate's waits
	// (full jitter, doubling). HEALTH_STARTUP_INITIAL_BACKOFF, default 1s;
	// HEALTH_STARTUP_MAX_BACKOFF, default 8s.
	StartupInitialBackoff, StartupMaxBackoff time.Duration
	// DrainDelay is how long readiness fails before shutdown proceeds; size
	// it to the readiness probe's periodSeconds x failureThreshold.
	// HEALTH_DRAIN_DELAY, default 5s; with a margin of a second it must fit
	// StopTimeout.
	DrainDelay time.Duration
	// StopTimeout is the app's fx stop timeout (fx.StopTimeout), which the
	// drain must fit. Set it in code when the app changes fx's; no
	// variable. Default 15s (fx.DefaultTimeout).
	StopTimeout time.Duration

	// PublicErrors shows the failing checks' sanitized messages on the
	// public route; false answers "unhealthy" only. HEALTH_PUBLIC_ERRORS,
	// default true.
	PublicErrors bool
	// FailureStatus is the public route's status code when unhealthy: 500
	// or 503. HEALTH_FAILURE_STATUS, default 500.
	FailureStatus int
	// DegradedStatus is the status code of the public route, /ready and
	// the groups when degraded (Spring's status mapping): 200 to 599,
	// a code net/http knows that carries a body (not 204, 205 or 304).
	// HEALTH_DEGRADED_STATUS, default 200.
	DegradedStatus int
	// MetricsNamespace prefixes every metric name (e.g. "messenger").
	// HEALTH_METRICS_NAMESPACE, default none.
	MetricsNamespace string

	// ServiceName names the service in alerts (label service).
	// HEALTH_SERVICE_NAME, default empty: alerting's default, the
	// executable's base name.
	ServiceName string
	// Instance names this replica in alerts (label instance), so that each
	// replica's alerts are its own, and in the health store's fleet
	// (HEALTH_STORE). HEALTH_INSTANCE, default empty:
	// alerting's default, the host name and the process ID (on
	// Kubernetes, set it to the pod's name through the downward API).
	Instance string
	// AlertmanagerURLs are Alertmanager base URLs (one per instance of an
	// HA pair), each fed through its own queue. HEALTH_ALERTMANAGER_URL,
	// comma-separated; default none.
	AlertmanagerURLs []string
	// WebhookURLs receive alert events as signed JSON, or as Slack text
	// for a URL written slack+https://…. HEALTH_WEBHOOK_URLS,
	// comma-separated name=url; default none.
	WebhookURLs []NamedURL
	// WebhookSecret signs webhook requests per Standard Webhooks:
	// "whsec_" + base64 of the key, or a plain key, 32 to 64 bytes, not
	// blank and not one byte repeated (the rule of HEALTH_JWT_SECRET).
	// HEALTH_WEBHOOK_SECRET, default none (unsigned).
	WebhookSecret string
	// StatusPageURL is the status page's external URL, linked from alerts
	// (generatorURL). HEALTH_STATUS_PAGE_URL, default none.
	StatusPageURL string
	// AlertRepeatInterval: an alert still firing is repeated to webhooks
	// at most this often (Alertmanager gets it every minute).
	// HEALTH_ALERT_REPEAT_INTERVAL, default 5m.
	AlertRepeatInterval time.Duration
	// AlertAfterFailures: a check's unhealthy alert fires after this many
	// failures in a row; 0 means the check's own FailureThreshold.
	// HEALTH_ALERT_AFTER_FAILURES, default 0.
	AlertAfterFailures int
	// AlertErrorRateThreshold: the error-rate alert fires when more than
	// this share of a check's executions over the last 10 minutes failed
	// without turning the check unhealthy (intermittent errors; an outage
	// is CheckUnhealthy's), at least 10 executions; 0 disables.
	// HEALTH_ALERT_ERROR_RATE_THRESHOLD, default 0.1.
	AlertErrorRateThreshold float64
	// AlertLatencyP95Threshold: the latency alert fires when a check's p95
	// over the short trend window exceeds it; 0 disables.
	// HEALTH_ALERT_LATENCY_P95_THRESHOLD, default 0 (off).
	AlertLatencyP95Threshold time.Duration

	// Store keeps the health history of every replica in the app's
	// PostgreSQL (package pgstore) and serves GET {prefix}/fleet with the
	// detailed route: "postgres" (needs the app's *pgxpool.Pool) or ""
	// (off). HEALTH_STORE, default off ("" or "off").
	Store string
	// StoreSchema is the store's schema (an unquoted identifier).
	// HEALTH_STORE_SCHEMA, default "healthcheck".
	StoreSchema string
	// StoreMigrate: true creates the store's tables at start when missing;
	// false only checks them (migrations run by the team with
	// docs/store.sql), and a missing table fails the start.
	// HEALTH_STORE_MIGRATE, default true.
	StoreMigrate bool

	// fromEnv records the variables WithEnv applied, with the value each
	// gave, so that Validate names the variable only while the field
	// still holds that value.
	fromEnv map[string]string
}

// NamedURL is one external API or downstream service to check.
type NamedURL struct {
	Name string
	URL  string
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Timeout:                 checks.DefaultTimeout,
		Interval:                checks.DefaultInterval,
		CacheTTL:                checks.DefaultTTL,
		ProbeBudget:             checks.DefaultProbeBudget,
		Level:                   checks.LevelStandard,
		Database:                true,
		DatabaseName:            "database",
		DatabaseRequired:        true,
		DatabaseLevel:           checks.LevelBasic,
		DatabaseSlowThreshold:   time.Second, // pgcheck's and sqlcheck's default
		DatabasePoolThreshold:   0.9,         // pgcheck's and sqlcheck's default
		DatabaseSQL:             true,
		DatabaseSQLName:         "sql",
		ExternalAPIs:            true,
		PathPrefix:              "/healthcheck",
		Live:                    true,
		Ready:                   true,
		Startup:                 true,
		StatusPage:              true,
		JWTJWKSRefresh:          defaultJWKSRefresh,
		HistorySize:             checks.DefaultHistorySize,
		TrendsShortWindow:       checks.DefaultTrendShortWindow,
		TrendsLongWindow:        checks.DefaultTrendLongWindow,
		StartupMaxWait:          lifecycle.DefaultStartupMaxWait,
		StartupMaxAttempts:      0,
		StartupInitialBackoff:   lifecycle.DefaultStartupInitialBackoff,
		StartupMaxBackoff:       lifecycle.DefaultStartupMaxBackoff,
		DrainDelay:              lifecycle.DefaultDrainDelay,
		StopTimeout:             15 * time.Second,
		PublicErrors:            true,
		FailureStatus:           500,
		DegradedStatus:          200,
		ServiceName:             "",
		Instance:                "",
		AlertRepeatInterval:     alerting.DefaultRepeatInterval,
		AlertErrorRateThreshold: alerting.DefaultErrorRate,
		StoreSchema:             pgstore.DefaultSchema,
		StoreMigrate:            true,
	}
}
