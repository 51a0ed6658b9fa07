package httphealth

import (
	"net/http"

	"github.com/echofx/healthcheck/checks"
)

// DefaultPrefix is the path under which the routes live by default
// (WithPrefix changes it); exported for a client or a test that builds the
// routes' URLs.
const DefaultPrefix = "/healthcheck"

// Option configures New. Options cannot fail: New validates them all,
// once.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	prefix        string
	readiness     Readiness
	liveness      Liveness
	level         checks.Level
	failureStatus int
	publicErrors  bool
	detailed      bool
	auth          Authenticator
	version       string
	noLive        bool
	noReady       bool
	metricsPath   string
	metrics       http.Handler

	noStatusPage       bool // WithoutStatusPage (status.go)
	statusPublicErrors bool // WithStatusPagePublicErrors (status.go)

	groups         []checks.Group // WithGroups (groups.go)
	startup        Startup        // WithStartup (startup.go)
	noStartup      bool           // WithoutStartup (startup.go)
	degradedStatus int            // WithDegradedStatus
	fleet          FleetSource    // WithFleet (fleet.go)
}

func defaultConfig() config {
	return config{
		prefix:         DefaultPrefix,
		level:          checks.LevelComprehensive,
		failureStatus:  http.StatusInternalServerError,
		degradedStatus: http.StatusOK,
		publicErrors:   true,
	}
}

// WithPrefix sets the path prefix of every route (default DefaultPrefix,
// "/healthcheck"). It must be empty or start with "/", and contain no ':',
// '*', '?', '#', '{', '}' or spaces; a trailing "/" is dropped. New
// rejects anything else.
func WithPrefix(prefix string) Option {
	return optionFunc(func(c *config) { c.prefix = prefix })
}

// WithReadiness sets what /ready asks before reading the checks (default
// nil: always ready). The lifecycle package's *Lifecycle satisfies
// Readiness. Readiness affects /ready only, never the public route.
func WithReadiness(r Readiness) Option {
	return optionFunc(func(c *config) { c.readiness = r })
}

// WithLiveness sets what /live asks (default nil: live while the process
// serves requests). When Live returns false, /live answers 503.
func WithLiveness(l Liveness) Option {
	return optionFunc(func(c *config) { c.liveness = l })
}

// WithLevel sets which checks decide the public route and /ready: those
// declared at level l or narrower (default checks.LevelComprehensive, i.e.
// every registered check). New rejects an unknown level.
func WithLevel(l checks.Level) Option {
	return optionFunc(func(c *config) { c.level = l })
}

// WithFailureStatus sets the status code of the public route when a
// required check fails: http.StatusInternalServerError (500, the default,
// which existing probes and dashboards expect) or
// http.StatusServiceUnavailable (503). New rejects any other code. /ready
// always fails with 503.
func WithFailureStatus(code int) Option {
	return optionFunc(func(c *config) { c.failureStatus = code })
}

// WithDegradedStatus sets the status code of the routes that report a
// status (the public route, /ready and the groups) when the checks they
// read are degraded, as Spring Boot's status mapping does; the body stays
// {"status":"success","data":{"health":"degraded"}}. Default
// http.StatusOK (200). New accepts a code from 200 to 599 that net/http
// knows (http.StatusText), except 204, 205 and 304, which carry no body.
// The detailed routes are diagnosis routes and keep their codes.
func WithDegradedStatus(code int) Option {
	return optionFunc(func(c *config) { c.degradedStatus = code })
}

// WithPublicErrors sets whether the public route and /ready show the
// failing checks' sanitized messages (default true). With false the
// failure body is {"status":"error","error":"unhealthy"}; the readiness
// reasons ("starting", "draining") are still shown.
func WithPublicErrors(show bool) Option {
	return optionFunc(func(c *config) { c.publicErrors = show })
}

// WithDetailed adds GET {prefix}/detailed and {prefix}/detailed/{check},
// protected by auth (see NewJWT). Without this option these routes do not
// exist. A nil auth (including a nil *JWT) makes New fail: there is no
// unprotected detailed route. To serve it to anyone, pass an
// AuthenticatorFunc that returns nil, and say so in your code.
func WithDetailed(auth Authenticator) Option {
	return optionFunc(func(c *config) {
		c.detailed = true
		c.auth = auth
	})
}

// WithVersion sets the "version" field of the detailed formats (default "").
func WithVersion(v string) Option {
	return optionFunc(func(c *config) { c.version = v })
}

// WithoutLive leaves out the {prefix}/live routes (default: served).
func WithoutLive() Option {
	return optionFunc(func(c *config) { c.noLive = true })
}

// WithoutReady leaves out the {prefix}/ready routes (default: served).
func WithoutReady() Option {
	return optionFunc(func(c *config) { c.noReady = true })
}

// WithMetrics adds GET (and HEAD) path, outside the prefix, served by h
// (typically promhttp.HandlerFor of the app's registry), named
// "healthcheck:metrics". Default: no metrics route. The path must start
// with "/", obey WithPrefix's rules and lie outside the prefix (see
// the rule in New's doc); a nil h is an error.
func WithMetrics(path string, h http.Handler) Option {
	return optionFunc(func(c *config) {
		c.metricsPath = path
		c.metrics = h
		if path == "" {
			c.metricsPath = "\x00" // set but empty: rejected by New
		}
	})
}
