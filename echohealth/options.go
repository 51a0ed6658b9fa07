package echohealth

import (
	"net/http"

	"github.com/echofx/healthcheck/checks"
)

// DefaultPrefix is the path under which Register adds its routes.
const DefaultPrefix = "/healthcheck"

// Option configures Register.
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
}

func defaultConfig() config {
	return config{
		prefix:        DefaultPrefix,
		level:         checks.LevelComprehensive,
		failureStatus: http.StatusInternalServerError,
		publicErrors:  true,
	}
}

// WithPrefix sets the path prefix of every route (default DefaultPrefix,
// "/healthcheck"). It must be empty or start with "/", and contain no ':'
// or '*'; a trailing "/" is dropped. Register rejects anything else.
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
// every registered check). Register rejects an unknown level.
func WithLevel(l checks.Level) Option {
	return optionFunc(func(c *config) { c.level = l })
}

// WithFailureStatus sets the status code of the public route when a
// required check fails: http.StatusInternalServerError (500, the default
// and the seed spec's) or http.StatusServiceUnavailable (503). Register
// rejects any other code. /ready always fails with 503.
func WithFailureStatus(code int) Option {
	return optionFunc(func(c *config) { c.failureStatus = code })
}

// WithPublicErrors sets whether the public route and /ready show the
// failing checks' sanitized messages (default true, as the seed spec
// does). With false the failure body is {"status":"error","error":"unhealthy"};
// the readiness reasons ("starting", "draining") are still shown.
func WithPublicErrors(show bool) Option {
	return optionFunc(func(c *config) { c.publicErrors = show })
}

// WithDetailed adds GET {prefix}/detailed and {prefix}/detailed/:check,
// protected by auth (see NewJWT). Without this option these routes do not
// exist. A nil auth (including a nil *JWT) makes Register fail: there is
// no unprotected detailed route. To serve it to anyone, pass an
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
