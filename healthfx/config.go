package healthfx

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
)

// Config is the module's configuration. DefaultConfig gives the defaults;
// ConfigFromEnv reads the environment over them. Each field names its
// variable; durations accept Go syntax ("2s", "1m30s") or plain seconds
// ("30", "0.5"); booleans accept strconv.ParseBool's forms.
type Config struct {
	// Timeout bounds each check's execution. HEALTH_CHECK_TIMEOUT, default 5s
	// (the seed spec's 30 s exceeds a Kubernetes probe's timeout; with a
	// timeout above HEALTH_STARTUP_MAX_WAIT the startup gate's single
	// attempt is cut at the max wait).
	Timeout time.Duration
	// Interval is the periodic runner's period per check.
	// HEALTH_CHECK_INTERVAL, default 15s.
	Interval time.Duration
	// CacheTTL is how long a result is served without a refresh.
	// HEALTH_CHECK_CACHE_TTL, default 1s.
	CacheTTL time.Duration
	// Level decides which checks count for /healthcheck/ and
	// /healthcheck/ready:
	// basic, standard or comprehensive. HEALTH_CHECK_LEVEL, default
	// standard. The detailed route shows every level unless asked.
	Level checks.Level

	// ExternalAPIs enables the HTTP checks of ExternalURLs.
	// HEALTH_CHECK_EXTERNAL_APIS, default true (as in the seed).
	ExternalAPIs bool
	// ExternalURLs are the upstreams to check, by name (optional checks).
	// HEALTH_CHECK_EXTERNAL_URLS, comma-separated name=url; default none.
	ExternalURLs []NamedURL
	// Redis enables the Redis check. HEALTH_CHECK_REDIS, default false.
	Redis bool
	// RedisAddr is the Redis host:port. HEALTH_CHECK_REDIS_ADDR, default
	// 127.0.0.1:6379.
	RedisAddr string
	// RedisPassword authenticates the Redis check.
	// HEALTH_CHECK_REDIS_PASSWORD, default none.
	RedisPassword string

	// Detailed enables GET /healthcheck/detailed behind a JWT; it requires
	// JWTSecret or JWTPublicKeyFile. HEALTH_CHECK_DETAILED, default false.
	Detailed bool
	// JWTSecret is the HMAC key (at least 32 bytes). HEALTH_JWT_SECRET.
	JWTSecret string
	// JWTPublicKeyFile is a PEM file with an RSA, ECDSA or Ed25519 public
	// key. HEALTH_JWT_PUBLIC_KEY_FILE.
	JWTPublicKeyFile string
	// JWTAlgorithms are the accepted signing algorithms.
	// HEALTH_JWT_ALGORITHMS, comma-separated; default: the key's own, HS256
	// with a secret, and with a public key RS256 (RSA), ES256/ES384/ES512
	// (by the ECDSA curve) or EdDSA (Ed25519).
	JWTAlgorithms []string
	// JWTIssuer and JWTAudience, when set, must match the token's iss and
	// aud. HEALTH_JWT_ISSUER, HEALTH_JWT_AUDIENCE.
	JWTIssuer, JWTAudience string

	// StartupMaxAttempts bounds the startup gate's attempts.
	// HEALTH_STARTUP_MAX_ATTEMPTS, default 5.
	StartupMaxAttempts int
	// StartupMaxWait bounds the startup gate's total time; keep it under
	// fx's start timeout (15 s by default). HEALTH_STARTUP_MAX_WAIT,
	// default 12s.
	StartupMaxWait time.Duration
	// DrainDelay is how long readiness fails before shutdown proceeds; size
	// it to the readiness probe's periodSeconds x failureThreshold, within
	// fx's stop timeout. HEALTH_DRAIN_DELAY, default 5s.
	DrainDelay time.Duration

	// PublicErrors shows the failing checks' sanitized messages on the
	// public route; false answers "unhealthy" only. HEALTH_PUBLIC_ERRORS,
	// default true (the seed's body).
	PublicErrors bool
	// FailureStatus is the public route's status code when unhealthy: 500
	// or 503. HEALTH_FAILURE_STATUS, default 500 (the seed's).
	FailureStatus int
	// MetricsNamespace prefixes every metric name (the seed's "messenger").
	// HEALTH_METRICS_NAMESPACE, default none.
	MetricsNamespace string
}

// NamedURL is one external API to check.
type NamedURL struct {
	Name string
	URL  string
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Timeout:            checks.DefaultTimeout,
		Interval:           checks.DefaultInterval,
		CacheTTL:           checks.DefaultTTL,
		Level:              checks.LevelStandard,
		ExternalAPIs:       true,
		RedisAddr:          "127.0.0.1:6379",
		StartupMaxAttempts: lifecycle.DefaultStartupMaxAttempts,
		StartupMaxWait:     lifecycle.DefaultStartupMaxWait,
		DrainDelay:         lifecycle.DefaultDrainDelay,
		PublicErrors:       true,
		FailureStatus:      500,
	}
}

// ConfigError reports an invalid setting. Variable names the environment
// variable (or Config field); Expected says what is accepted. Value is the
// offending input, except for secrets, whose value is never kept.
type ConfigError struct {
	Variable string
	Value    string
	Expected string
}

// ErrInvalidConfig is matched by every *ConfigError through errors.Is.
var ErrInvalidConfig = errors.New("invalid health configuration")

// Error implements error.
func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("healthfx: %s: %s", e.Variable, e.Expected)
	}
	return fmt.Sprintf("healthfx: %s=%q: %s", e.Variable, e.Value, e.Expected)
}

// Is makes errors.Is(err, ErrInvalidConfig) true.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// secretVars are never echoed in errors.
var secretVars = map[string]bool{"HEALTH_JWT_SECRET": true, "HEALTH_CHECK_REDIS_PASSWORD": true, "HEALTH_CHECK_EXTERNAL_URLS": true}

// ConfigFromEnv returns DefaultConfig overridden by the environment. The
// first invalid variable gives a *ConfigError naming it.
func ConfigFromEnv() (Config, error) { return LoadConfig(os.LookupEnv) }

// LoadConfig is ConfigFromEnv over any lookup function.
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	c, err := ParseConfig(lookup)
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}

// ParseConfig reads the variables over DefaultConfig like LoadConfig, but
// checks only each value on its own (syntax and range), not how values
// combine: Validate does that. The module parses, lets fx.Decorate adjust,
// then validates.
func ParseConfig(lookup func(string) (string, bool)) (Config, error) {
	c := DefaultConfig()
	p := parser{lookup: lookup}
	p.duration("HEALTH_CHECK_TIMEOUT", &c.Timeout)
	p.duration("HEALTH_CHECK_INTERVAL", &c.Interval)
	p.duration("HEALTH_CHECK_CACHE_TTL", &c.CacheTTL)
	p.str("HEALTH_CHECK_LEVEL", func(v string) error {
		l, err := checks.ParseLevel(strings.ToLower(v))
		c.Level = l
		if err != nil {
			return errors.New("want basic, standard or comprehensive")
		}
		return nil
	})
	p.boolean("HEALTH_CHECK_EXTERNAL_APIS", &c.ExternalAPIs)
	p.str("HEALTH_CHECK_EXTERNAL_URLS", func(v string) (err error) {
		c.ExternalURLs, err = parseNamedURLs(v)
		return err
	})
	p.boolean("HEALTH_CHECK_REDIS", &c.Redis)
	p.str("HEALTH_CHECK_REDIS_ADDR", func(v string) error { c.RedisAddr = v; return nil })
	p.str("HEALTH_CHECK_REDIS_PASSWORD", func(v string) error { c.RedisPassword = v; return nil })
	p.boolean("HEALTH_CHECK_DETAILED", &c.Detailed)
	p.str("HEALTH_JWT_SECRET", func(v string) error { c.JWTSecret = v; return nil })
	p.str("HEALTH_JWT_PUBLIC_KEY_FILE", func(v string) error { c.JWTPublicKeyFile = v; return nil })
	p.str("HEALTH_JWT_ALGORITHMS", func(v string) error { c.JWTAlgorithms = splitList(v); return nil })
	p.str("HEALTH_JWT_ISSUER", func(v string) error { c.JWTIssuer = v; return nil })
	p.str("HEALTH_JWT_AUDIENCE", func(v string) error { c.JWTAudience = v; return nil })
	p.integer("HEALTH_STARTUP_MAX_ATTEMPTS", &c.StartupMaxAttempts)
	p.duration("HEALTH_STARTUP_MAX_WAIT", &c.StartupMaxWait)
	p.duration("HEALTH_DRAIN_DELAY", &c.DrainDelay)
	p.boolean("HEALTH_PUBLIC_ERRORS", &c.PublicErrors)
	p.integer("HEALTH_FAILURE_STATUS", &c.FailureStatus)
	p.str("HEALTH_METRICS_NAMESPACE", func(v string) error { c.MetricsNamespace = v; return nil })
	return c, p.err
}

// Validate checks the values and their combinations; errors are
// *ConfigError naming the environment variable of the field.
func (c Config) Validate() error {
	bad := func(v, expected string) error { return &ConfigError{Variable: v, Expected: expected} }
	switch {
	case c.Timeout <= 0:
		return bad("HEALTH_CHECK_TIMEOUT", "must be positive")
	case c.Interval <= 0:
		return bad("HEALTH_CHECK_INTERVAL", "must be positive")
	case c.CacheTTL <= 0:
		return bad("HEALTH_CHECK_CACHE_TTL", "must be positive")
	case c.CacheTTL > c.Interval:
		return bad("HEALTH_CHECK_CACHE_TTL", "must not exceed HEALTH_CHECK_INTERVAL (results would outlive the periodic run)")
	case c.Level > checks.LevelComprehensive:
		return bad("HEALTH_CHECK_LEVEL", "want basic, standard or comprehensive")
	case c.StartupMaxAttempts < 1:
		return bad("HEALTH_STARTUP_MAX_ATTEMPTS", "must be at least 1")
	case c.StartupMaxWait <= 0:
		return bad("HEALTH_STARTUP_MAX_WAIT", "must be positive")
	case c.DrainDelay < 0:
		return bad("HEALTH_DRAIN_DELAY", "must not be negative")
	case c.FailureStatus != 500 && c.FailureStatus != 503:
		return bad("HEALTH_FAILURE_STATUS", "want 500 or 503")
	case c.Redis && !validHostPort(c.RedisAddr):
		return bad("HEALTH_CHECK_REDIS_ADDR", "want host:port when HEALTH_CHECK_REDIS is true")
	case !validNamespace(c.MetricsNamespace):
		return bad("HEALTH_METRICS_NAMESPACE", "want letters, digits and underscores, not starting with a digit")
	case c.Detailed && c.JWTSecret == "" && c.JWTPublicKeyFile == "":
		return bad("HEALTH_JWT_SECRET", "HEALTH_CHECK_DETAILED=true needs HEALTH_JWT_SECRET or HEALTH_JWT_PUBLIC_KEY_FILE: the detailed route is never left open")
	case c.JWTSecret != "" && len(c.JWTSecret) < 32:
		return bad("HEALTH_JWT_SECRET", "must be at least 32 bytes")
	case c.JWTSecret != "" && c.JWTPublicKeyFile != "":
		return bad("HEALTH_JWT_PUBLIC_KEY_FILE", "set either HEALTH_JWT_SECRET or HEALTH_JWT_PUBLIC_KEY_FILE, not both")
	}
	for _, a := range c.JWTAlgorithms {
		if !slices.Contains(knownAlgorithms, a) {
			return bad("HEALTH_JWT_ALGORITHMS", "want a comma-separated list of "+strings.Join(knownAlgorithms, ", "))
		}
	}
	for _, u := range c.ExternalURLs {
		if err := validNamedURL(u); err != nil {
			return bad("HEALTH_CHECK_EXTERNAL_URLS", err.Error())
		}
	}
	return nil
}

var knownAlgorithms = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func validNamespace(ns string) bool {
	for i, r := range ns {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func validHostPort(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	return err == nil && host != "" && port != ""
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

func parseNamedURLs(v string) ([]NamedURL, error) {
	var out []NamedURL
	for _, item := range splitList(v) {
		name, u, ok := strings.Cut(item, "=")
		if !ok {
			return nil, errors.New("want comma-separated name=url pairs")
		}
		nu := NamedURL{Name: strings.TrimSpace(name), URL: strings.TrimSpace(u)}
		if err := validNamedURL(nu); err != nil {
			return nil, err
		}
		out = append(out, nu)
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parser reads variables, keeping the first error.
type parser struct {
	lookup func(string) (string, bool)
	err    error
}

func (p *parser) str(name string, set func(string) error) {
	if p.err != nil {
		return
	}
	v, ok := p.lookup(name)
	if !ok {
		return
	}
	if err := set(strings.TrimSpace(v)); err != nil {
		p.fail(name, v, err.Error())
	}
}

func (p *parser) fail(name, value, expected string) {
	if secretVars[name] {
		value = ""
	}
	if len(value) > 64 {
		value = value[:64] + "…"
	}
	p.err = &ConfigError{Variable: name, Value: value, Expected: expected}
}

func (p *parser) duration(name string, dst *time.Duration) {
	p.str(name, func(v string) error {
		d, err := ParseDuration(v)
		if err != nil {
			return err
		}
		*dst = d
		return nil
	})
}

func (p *parser) boolean(name string, dst *bool) {
	p.str(name, func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*dst = b
		return nil
	})
}

func (p *parser) integer(name string, dst *int) {
	p.str(name, func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("want an integer")
		}
		*dst = n
		return nil
	})
}

// ParseDuration accepts Go duration syntax ("1.5s", "2m") or plain seconds
// ("30", "0.5"), as the seed's HEALTH_CHECK_TIMEOUT=30 does. Negative values
// and values over 24h are rejected.
func ParseDuration(v string) (time.Duration, error) {
	expected := errors.New(`want a duration such as "5s", "1m" or plain seconds such as "30"`)
	var d time.Duration
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f != f || f < 0 || f > 86400 { // NaN or out of range
			return 0, expected
		}
		d = time.Duration(f * float64(time.Second))
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, expected
		}
	}
	if d < 0 || d > 24*time.Hour {
		return 0, expected
	}
	return d, nil
}
