package echohealth

import (
	"net/http"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// DefaultPrefix is the path under which Register adds its routes.
const DefaultPrefix = httphealth.DefaultPrefix

// Media types of the responses.
const (
	// MIMEJSON is the content type of every response but the IETF format.
	MIMEJSON = httphealth.MIMEJSON
	// MIMEHealthJSON is the content type of the IETF draft
	// (draft-inadarei-api-health-check) format of the detailed route.
	MIMEHealthJSON = httphealth.MIMEHealthJSON
)

// Option configures Register. The options are httphealth's; those below
// are the same functions, for the Echo v4 reader.
type Option = httphealth.Option

// Readiness tells whether the service should receive traffic
// (httphealth.Readiness; *lifecycle.Lifecycle satisfies it).
type Readiness = httphealth.Readiness

// Liveness tells whether the process should be kept running
// (httphealth.Liveness).
type Liveness = httphealth.Liveness

// WithPrefix sets the path prefix of every route (default "/healthcheck").
// It must be empty or start with "/", and contain no ':', '*', '?', '#',
// '{', '}' or spaces; a trailing "/" is dropped. Register rejects
// anything else.
func WithPrefix(prefix string) Option { return httphealth.WithPrefix(prefix) }

// WithReadiness sets what /ready asks before reading the checks (default
// nil: always ready). Readiness affects /ready only.
func WithReadiness(r Readiness) Option { return httphealth.WithReadiness(r) }

// WithLiveness sets what /live asks (default nil: live while the process
// serves requests). When Live returns false, /live answers 503.
func WithLiveness(l Liveness) Option { return httphealth.WithLiveness(l) }

// WithLevel sets which checks decide the public route and /ready (default
// checks.LevelComprehensive, every registered check).
func WithLevel(l checks.Level) Option { return httphealth.WithLevel(l) }

// WithFailureStatus sets the public route's failure status: 500 (the
// default) or 503. /ready always fails with 503.
func WithFailureStatus(code int) Option { return httphealth.WithFailureStatus(code) }

// WithPublicErrors sets whether the public route and /ready show the
// failing checks' sanitized messages (default true); with false the
// failure body is {"status":"error","error":"unhealthy"}.
func WithPublicErrors(show bool) Option { return httphealth.WithPublicErrors(show) }

// WithVersion sets the "version" field of the detailed formats (default "").
func WithVersion(v string) Option { return httphealth.WithVersion(v) }

// WithoutLive leaves out the /live routes (default: served).
func WithoutLive() Option { return httphealth.WithoutLive() }

// WithoutReady leaves out the /ready routes (default: served).
func WithoutReady() Option { return httphealth.WithoutReady() }

// WithMetrics adds GET and HEAD path (outside the prefix) served by h,
// e.g. promhttp.HandlerFor of the app's registry (default: none).
func WithMetrics(path string, h http.Handler) Option { return httphealth.WithMetrics(path, h) }

// WithDetailed adds GET and HEAD {prefix}/detailed and
// {prefix}/detailed/:check, protected by auth (see NewJWT). Without this
// option these routes do not exist. A nil auth (including a nil *JWT)
// makes Register fail: there is no unprotected detailed route. To serve
// it to anyone, pass an AuthenticatorFunc that returns nil, and say so in
// your code.
func WithDetailed(auth Authenticator) Option { return httphealth.WithDetailed(coreAuth(auth)) }

// Startup tells whether start-up is over (httphealth.Startup;
// *lifecycle.Lifecycle satisfies it).
type Startup = httphealth.Startup

// WithStartup sets what {prefix}/startup asks (default: the Readiness when
// it also implements Startup, as *lifecycle.Lifecycle does; else the route
// answers 200 as soon as it serves).
func WithStartup(s Startup) Option { return httphealth.WithStartup(s) }

// WithoutStartup leaves out the /startup routes (default: served).
func WithoutStartup() Option { return httphealth.WithoutStartup() }

// WithGroups adds health groups served at {prefix}/group/:group, like the
// public route over each group's checks (see httphealth.WithGroups).
func WithGroups(groups ...checks.Group) Option { return httphealth.WithGroups(groups...) }

// WithDegradedStatus sets the status code of the public route, /ready and
// the groups when degraded (default 200; see httphealth.WithDegradedStatus).
func WithDegradedStatus(code int) Option { return httphealth.WithDegradedStatus(code) }
