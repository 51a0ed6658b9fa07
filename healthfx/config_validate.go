package healthfx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/httpx"
	secretrule "github.com/echofx/healthcheck/internal/secret"
)

// configError is healthfx's *checks.ConfigError.
func configError(setting, value, reason string) *checks.ConfigError {
	return &checks.ConfigError{Package: "healthfx", Setting: setting, Value: value, Reason: reason}
}

// bad returns the *checks.ConfigError of the setting of variable (see
// name).
func (c *Config) bad(variable, reason string) error {
	return configError(c.name(variable), "", reason)
}

// name is where the setting of variable was made: the variable when the
// field holds what the environment gave or its default, else (a value set
// in code by SetDefaults, a Config literal or fx.Decorate) the Config
// field, as "Config.Timeout (set in code)".
func (c *Config) name(variable string) string {
	s, ok := settingOf(variable)
	if !ok {
		return variable
	}
	current := fmt.Sprint(s.get(c))
	if v, fromEnv := c.fromEnv[variable]; fromEnv && v == current {
		return variable
	}
	def := DefaultConfig()
	if current == fmt.Sprint(s.get(&def)) {
		return variable // never set: the variable is where to set it
	}
	return "Config." + s.field + " (set in code)"
}

// assigned says "VAR=value" of a setting the environment made, or
// "Config.X = value (set in code)" of one the code made.
func (c *Config) assigned(variable, value string) string {
	n := c.name(variable)
	if n == variable {
		return variable + "=" + value
	}
	field, _ := strings.CutSuffix(n, " (set in code)")
	return field + " = " + value + " (set in code)"
}

// Validate checks the values and their combinations, for an app that
// provides no httphealth.Authenticator (LoadConfig's case; Module checks the
// same with the app's inputs, see check). Errors are
// *checks.ConfigError naming the variable or field (Setting: the variable, or "Config.X (set in code)" for a value set in code).
func (c Config) Validate() error { return c.check(false) }

// check is the one validation of LoadConfig and Module (newHealth): appAuth says whether
// the app provides an httphealth.Authenticator, which replaces the JWT
// settings. The rules that belong to a consumer (the routes' status
// codes and paths, the JWT's algorithms and keys) are checked by building
// that consumer's options, so the rules live once, where they are used.
func (c Config) check(appAuth bool) error {
	switch {
	case c.Timeout <= 0:
		return c.bad("HEALTH_CHECK_TIMEOUT", "must be positive")
	case c.Interval <= 0:
		return c.bad("HEALTH_CHECK_INTERVAL", "must be positive")
	case c.CacheTTL <= 0:
		return c.bad("HEALTH_CHECK_CACHE_TTL", "must be positive")
	case c.CacheTTL > c.Interval:
		return c.bad("HEALTH_CHECK_CACHE_TTL", "must not exceed HEALTH_CHECK_INTERVAL (results would outlive the periodic run)")
	case c.ProbeBudget < 0:
		return c.bad("HEALTH_PROBE_BUDGET", "must not be negative")
	case c.Level > checks.LevelComprehensive:
		return c.bad("HEALTH_CHECK_LEVEL", ruleLevel)
	case c.Database && checks.ValidateName(c.DatabaseName) != nil:
		return c.bad("HEALTH_CHECK_DATABASE_NAME", ruleCheckName)
	case c.Database && c.DatabaseSQL && checks.ValidateName(c.DatabaseSQLName) != nil:
		return c.bad("HEALTH_CHECK_DATABASE_SQL_NAME", ruleCheckName)
	case c.DatabaseLevel > checks.LevelComprehensive:
		return c.bad("HEALTH_CHECK_DATABASE_LEVEL", ruleLevel)
	case c.DatabaseSlowThreshold < 0:
		return c.bad("HEALTH_CHECK_DATABASE_SLOW_THRESHOLD", "must not be negative")
	case c.DatabasePoolThreshold < 0 || c.DatabasePoolThreshold > 1:
		return c.bad("HEALTH_CHECK_DATABASE_POOL_THRESHOLD", "want a ratio between 0 and 1")
	case !routesAccept(httphealth.WithPrefix(c.PathPrefix)):
		return c.bad("HEALTH_PATH_PREFIX", `want a path such as "/healthcheck" ("" for the root), without ':', '*', '?', '#', '{', '}' or spaces`)
	case c.MetricsPath != "" && !routesAccept(httphealth.WithPrefix(c.PathPrefix), httphealth.WithMetrics(c.MetricsPath, http.NotFoundHandler())):
		if rule := metricsPathRule(c.PathPrefix, c.MetricsPath); rule != "" {
			return c.bad("HEALTH_METRICS_PATH", rule)
		}
		return c.bad("HEALTH_METRICS_PATH", `want a path such as "/metrics", without ':', '*', '?', '#', '{', '}' or spaces`)
	case !validNamespace(c.MetricsNamespace):
		return c.bad("HEALTH_METRICS_NAMESPACE", "want letters, digits and underscores, not starting with a digit")
	case c.Detailed && !appAuth && c.JWTSecret == "" && c.JWTPublicKeyFile == "" && c.JWTJWKSURL == "":
		return c.bad("HEALTH_JWT_SECRET", c.assigned("HEALTH_CHECK_DETAILED", "true")+" needs HEALTH_JWT_SECRET, HEALTH_JWT_PUBLIC_KEY_FILE or HEALTH_JWT_JWKS_URL (or the app's httphealth.Authenticator): the detailed route is never left open")
	case appAuth && c.JWTSecret != "":
		return c.bad("HEALTH_JWT_SECRET", "the app provides an httphealth.Authenticator, which replaces the JWT: unset it")
	case appAuth && c.JWTPublicKeyFile != "":
		return c.bad("HEALTH_JWT_PUBLIC_KEY_FILE", "the app provides an httphealth.Authenticator, which replaces the JWT: unset it")
	case appAuth && c.JWTJWKSURL != "":
		return c.bad("HEALTH_JWT_JWKS_URL", "the app provides an httphealth.Authenticator, which replaces the JWT: unset it")
	case c.JWTJWKSURL != "" && validJWKSURL(c.JWTJWKSURL) != "":
		return c.bad("HEALTH_JWT_JWKS_URL", validJWKSURL(c.JWTJWKSURL))
	case c.JWTJWKSURL != "" && (c.JWTSecret != "" || c.JWTPublicKeyFile != ""):
		return c.bad("HEALTH_JWT_JWKS_URL", "set one of HEALTH_JWT_SECRET, HEALTH_JWT_PUBLIC_KEY_FILE and HEALTH_JWT_JWKS_URL")
	case c.JWTJWKSRefresh < time.Minute:
		return c.bad("HEALTH_JWT_JWKS_REFRESH", "want at least 1m")
	case c.JWTSecret != "" && len(c.JWTSecret) < secretrule.MinBytes:
		return c.bad("HEALTH_JWT_SECRET", "must be at least 32 bytes")
	case c.JWTSecret != "" && weakSecret(c.JWTSecret) != "":
		return c.bad("HEALTH_JWT_SECRET", "refused: "+weakSecret(c.JWTSecret))
	case c.JWTSecret != "" && c.JWTPublicKeyFile != "":
		return c.bad("HEALTH_JWT_PUBLIC_KEY_FILE", "set either HEALTH_JWT_SECRET or HEALTH_JWT_PUBLIC_KEY_FILE, not both")
	case c.JWTMaxAge < 0:
		return c.bad("HEALTH_JWT_MAX_AGE", "must not be negative")
	case c.HistorySize < 1 || c.HistorySize > checks.MaxHistorySize:
		return c.bad("HEALTH_HISTORY_SIZE", fmt.Sprintf("want 1 to %d (checks.MaxHistorySize: at most about 3.5 MB per check when full)", checks.MaxHistorySize))
	case c.TrendsShortWindow < time.Minute:
		return c.bad("HEALTH_TRENDS_SHORT_WINDOW", "want at least 1m")
	case c.TrendsLongWindow < c.TrendsShortWindow:
		return c.bad("HEALTH_TRENDS_LONG_WINDOW", "must not be shorter than HEALTH_TRENDS_SHORT_WINDOW")
	case c.StartupMaxAttempts < 0:
		return c.bad("HEALTH_STARTUP_MAX_ATTEMPTS", "must not be negative (0: bounded by HEALTH_STARTUP_MAX_WAIT only)")
	case c.StartupMaxWait <= 0:
		return c.bad("HEALTH_STARTUP_MAX_WAIT", "must be positive")
	case c.StartupInitialBackoff <= 0:
		return c.bad("HEALTH_STARTUP_INITIAL_BACKOFF", "must be positive")
	case c.StartupMaxBackoff < c.StartupInitialBackoff:
		return c.bad("HEALTH_STARTUP_MAX_BACKOFF", "must not be shorter than HEALTH_STARTUP_INITIAL_BACKOFF")
	case c.DrainDelay < 0:
		return c.bad("HEALTH_DRAIN_DELAY", "must not be negative")
	case c.StopTimeout <= 0:
		return configError("Config.StopTimeout (set in code)", "", "must be positive: fx's stop timeout (15s by default)")
	case c.DrainDelay+time.Second > c.StopTimeout:
		return c.bad("HEALTH_DRAIN_DELAY", fmt.Sprintf("does not fit fx's stop timeout of %v with a second to spare for the other stop hooks (raise fx.StopTimeout and set Config.StopTimeout to match)", c.StopTimeout))
	case !routesAccept(httphealth.WithFailureStatus(c.FailureStatus)):
		return c.bad("HEALTH_FAILURE_STATUS", "want 500 or 503")
	case !httpx.ValidDegradedStatus(c.DegradedStatus):
		return c.bad("HEALTH_DEGRADED_STATUS", "want a status code from 200 to 599 that carries a body (not 204, 205 or 304), e.g. 200 or 207")
	}
	if err := c.validateAlerts(); err != nil {
		return err
	}
	if err := c.validateStore(); err != nil {
		return err
	}
	if len(c.JWTAlgorithms) > 0 {
		// Each algorithm's name alone, against a key set (which takes
		// every family but HS*: a mismatch, not an unknown name).
		_, err := httphealth.NewJWT(httphealth.JWTConfig{KeySet: noKeys{}, Algorithms: c.JWTAlgorithms})
		if errors.Is(err, httphealth.ErrBadAlgorithm) {
			return c.bad("HEALTH_JWT_ALGORITHMS", "want a comma-separated list of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA (httphealth.JWTConfig.Algorithms)")
		}
	}
	if c.Detailed && !appAuth {
		// The verifier the module builds: the key file readable, the algorithms
		// fit for the key.
		if _, _, err := newJWT(c, nil, nil); err != nil {
			return err
		}
	}
	for _, u := range c.ExternalURLs {
		if err := validNamedURL(u); err != nil {
			return c.bad("HEALTH_CHECK_EXTERNAL_URLS", err.Error())
		}
	}
	for _, u := range c.DownstreamURLs {
		if err := validNamedURL(u); err != nil {
			return c.bad("HEALTH_CHECK_DOWNSTREAM_URLS", err.Error())
		}
	}
	return c.validateGroups(nil)
}

// validateGroups checks Groups against the registered checks (registered
// reports whether one is); a nil registered checks their form only
// (names, emptiness, duplicates). The error names HEALTH_GROUPS (or
// Config.Groups when set in code), the group and the check.
func (c *Config) validateGroups(registered func(string) bool) error {
	if err := checks.ValidateGroups(c.Groups, registered); err != nil {
		return c.bad("HEALTH_GROUPS", groupReason(err))
	}
	return nil
}

// noKeys is a key set with no key: NewJWT checks algorithm names with it.
type noKeys struct{}

func (noKeys) KeyfuncCtx(context.Context) jwt.Keyfunc { return nil }

// routesAccept reports whether httphealth.New accepts opts: the routes'
// rules live there; healthfx names the variable.
func routesAccept(opts ...httphealth.Option) bool {
	r := checks.NewRunner()
	defer r.Close()
	_, err := httphealth.New(r, opts...)
	return err == nil
}

// weakSecret says why s is unfit as an HMAC key whatever its length, or "".
func weakSecret(s string) string { return secretrule.Weak([]byte(s)) }

func validNamespace(ns string) bool {
	for i, r := range ns {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// metricsPathRule is the rule (httpx.MetricsPathRule, which httphealth.New
// applies too) that the metrics path breaks beside the prefix, or "" when
// it breaks none.
func metricsPathRule(prefix, path string) string {
	return strings.Replace(httpx.MetricsPathRule(prefix, path), "the health prefix", "HEALTH_PATH_PREFIX", 1)
}

func validNamedURL(u NamedURL) error {
	if err := checks.ValidateName(u.Name); err != nil {
		return fmt.Errorf("want name=url pairs with names of printable ASCII without spaces, '/', '\"' or '\\'")
	}
	p, err := url.Parse(u.URL)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("the URL of %q must be an absolute http or https URL", u.Name)
	}
	return nil
}

// groupReason is "<group>: <reason>" from checks.ValidateGroups'
// *checks.ConfigError, else err's text.
func groupReason(err error) string {
	if ce, ok := errors.AsType[*checks.ConfigError](err); ok {
		return ce.Setting + ": " + ce.Reason
	}
	return err.Error()
}
