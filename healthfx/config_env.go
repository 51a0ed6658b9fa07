package healthfx

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// LoadConfig is the one loader for apps without fx: DefaultConfig with
// the environment over it (WithEnv), validated. lookup is os.LookupEnv or
// any function of its shape. Errors are *checks.ConfigError naming the variable.
func LoadConfig(lookup func(string) (string, bool)) (Config, error) {
	c, err := DefaultConfig().WithEnv(lookup)
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}

// WithEnv returns c with every set HEALTH_* variable applied over it (the
// third layer of the precedence). It checks each value on its own
// (syntax, range, a weak JWT secret) and returns a *checks.ConfigError naming the
// first bad variable, never echoing a secret; how values combine is
// Validate's job, after any fx.Decorate. A nil lookup means os.LookupEnv.
func (c Config) WithEnv(lookup func(string) (string, bool)) (Config, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	c.fromEnv = make(map[string]string, len(c.fromEnv))
	for _, s := range settings {
		v, ok := lookup(s.variable)
		if !ok {
			continue
		}
		if !s.raw {
			v = strings.TrimSpace(v)
		}
		if err := s.parse(&c, v); err != nil {
			value := v
			if s.secret {
				value = ""
			}
			if len(value) > 64 {
				value = value[:64] + "…"
			}
			return c, configError(s.variable, value, err.Error())
		}
		c.fromEnv[s.variable] = fmt.Sprint(s.get(&c))
	}
	return c, nil
}

// Variables lists every environment variable the module reads, in the
// order of the README's table.
func variables() []string {
	out := make([]string, len(settings))
	for i, s := range settings {
		out[i] = s.variable
	}
	return out
}

// setting is one environment variable and the Config field it sets.
type setting struct {
	variable, field string
	secret          bool // never echoed in errors
	raw             bool // parse gets the value untrimmed
	parse           func(c *Config, v string) error
	get             func(c *Config) any
}

// field builds a setting for the field that ptr selects, parsed by parse.
func field[T any](variable, name string, ptr func(*Config) *T, parse func(string) (T, error)) setting {
	return setting{
		variable: variable, field: name,
		parse: func(c *Config, v string) error {
			x, err := parse(v)
			if err != nil {
				return err
			}
			*ptr(c) = x
			return nil
		},
		get: func(c *Config) any { return *ptr(c) },
	}
}

func secret(s setting) setting { s.secret = true; return s }

func raw(s setting) setting { s.raw = true; return s }

// settings is every variable: the one table that parsing, error naming
// and the README's table (checked by a test) follow.
var settings = []setting{
	field("HEALTH_CHECK_TIMEOUT", "Timeout", func(c *Config) *time.Duration { return &c.Timeout }, parseDuration),
	field("HEALTH_CHECK_INTERVAL", "Interval", func(c *Config) *time.Duration { return &c.Interval }, parseDuration),
	field("HEALTH_CHECK_CACHE_TTL", "CacheTTL", func(c *Config) *time.Duration { return &c.CacheTTL }, parseDuration),
	field("HEALTH_PROBE_BUDGET", "ProbeBudget", func(c *Config) *time.Duration { return &c.ProbeBudget }, parseDuration),
	field("HEALTH_CHECK_LEVEL", "Level", func(c *Config) *checks.Level { return &c.Level }, parseLevel),
	field("HEALTH_CHECK_DATABASE", "Database", func(c *Config) *bool { return &c.Database }, parseBool),
	field("HEALTH_CHECK_DATABASE_NAME", "DatabaseName", func(c *Config) *string { return &c.DatabaseName }, parseName),
	field("HEALTH_CHECK_DATABASE_REQUIRED", "DatabaseRequired", func(c *Config) *bool { return &c.DatabaseRequired }, parseBool),
	field("HEALTH_CHECK_DATABASE_LEVEL", "DatabaseLevel", func(c *Config) *checks.Level { return &c.DatabaseLevel }, parseLevel),
	field("HEALTH_CHECK_DATABASE_SLOW_THRESHOLD", "DatabaseSlowThreshold", func(c *Config) *time.Duration { return &c.DatabaseSlowThreshold }, parseDuration),
	field("HEALTH_CHECK_DATABASE_POOL_THRESHOLD", "DatabasePoolThreshold", func(c *Config) *float64 { return &c.DatabasePoolThreshold }, parseRatio),
	field("HEALTH_CHECK_DATABASE_SQL", "DatabaseSQL", func(c *Config) *bool { return &c.DatabaseSQL }, parseBool),
	field("HEALTH_CHECK_DATABASE_SQL_NAME", "DatabaseSQLName", func(c *Config) *string { return &c.DatabaseSQLName }, parseName),
	field("HEALTH_CHECK_EXTERNAL_APIS", "ExternalAPIs", func(c *Config) *bool { return &c.ExternalAPIs }, parseBool),
	secret(field("HEALTH_CHECK_EXTERNAL_URLS", "ExternalURLs", func(c *Config) *[]NamedURL { return &c.ExternalURLs }, parseNamedURLs)),
	field("HEALTH_CHECK_EXTERNAL_REQUIRED", "ExternalRequired", func(c *Config) *bool { return &c.ExternalRequired }, parseBool),
	secret(field("HEALTH_CHECK_DOWNSTREAM_URLS", "DownstreamURLs", func(c *Config) *[]NamedURL { return &c.DownstreamURLs }, parseNamedURLs)),
	field("HEALTH_CHECK_DOWNSTREAM_REQUIRED", "DownstreamRequired", func(c *Config) *bool { return &c.DownstreamRequired }, parseBool),
	field("HEALTH_CHECK_DOWNSTREAM_TOKEN_FILE", "DownstreamTokenFile", func(c *Config) *string { return &c.DownstreamTokenFile }, parseString),
	raw(field("HEALTH_PATH_PREFIX", "PathPrefix", func(c *Config) *string { return &c.PathPrefix }, parsePath)),
	field("HEALTH_ROUTE_LIVE", "Live", func(c *Config) *bool { return &c.Live }, parseBool),
	field("HEALTH_ROUTE_READY", "Ready", func(c *Config) *bool { return &c.Ready }, parseBool),
	field("HEALTH_ROUTE_STARTUP", "Startup", func(c *Config) *bool { return &c.Startup }, parseBool),
	field("HEALTH_GROUPS", "Groups", func(c *Config) *[]checks.Group { return &c.Groups }, parseGroups),
	raw(field("HEALTH_METRICS_PATH", "MetricsPath", func(c *Config) *string { return &c.MetricsPath }, parsePath)),
	field("HEALTH_CHECK_DETAILED", "Detailed", func(c *Config) *bool { return &c.Detailed }, parseBool),
	field("HEALTH_STATUS_PAGE", "StatusPage", func(c *Config) *bool { return &c.StatusPage }, parseBool),
	field("HEALTH_STATUS_PAGE_PUBLIC_DETAILS", "StatusPagePublicDetails", func(c *Config) *bool { return &c.StatusPagePublicDetails }, parseBool),
	raw(secret(field("HEALTH_JWT_SECRET", "JWTSecret", func(c *Config) *string { return &c.JWTSecret }, parseSecret))),
	field("HEALTH_JWT_PUBLIC_KEY_FILE", "JWTPublicKeyFile", func(c *Config) *string { return &c.JWTPublicKeyFile }, parseString),
	field("HEALTH_JWT_JWKS_URL", "JWTJWKSURL", func(c *Config) *string { return &c.JWTJWKSURL }, parseString),
	field("HEALTH_JWT_JWKS_REFRESH", "JWTJWKSRefresh", func(c *Config) *time.Duration { return &c.JWTJWKSRefresh }, parseDuration),
	field("HEALTH_JWT_ALGORITHMS", "JWTAlgorithms", func(c *Config) *[]string { return &c.JWTAlgorithms }, parseList),
	field("HEALTH_JWT_ISSUER", "JWTIssuer", func(c *Config) *string { return &c.JWTIssuer }, parseString),
	field("HEALTH_JWT_AUDIENCE", "JWTAudience", func(c *Config) *string { return &c.JWTAudience }, parseString),
	field("HEALTH_JWT_MAX_AGE", "JWTMaxAge", func(c *Config) *time.Duration { return &c.JWTMaxAge }, parseDuration),
	field("HEALTH_HISTORY_SIZE", "HistorySize", func(c *Config) *int { return &c.HistorySize }, parseInt),
	field("HEALTH_TRENDS_SHORT_WINDOW", "TrendsShortWindow", func(c *Config) *time.Duration { return &c.TrendsShortWindow }, parseDuration),
	field("HEALTH_TRENDS_LONG_WINDOW", "TrendsLongWindow", func(c *Config) *time.Duration { return &c.TrendsLongWindow }, parseDuration),
	field("HEALTH_STARTUP_MAX_WAIT", "StartupMaxWait", func(c *Config) *time.Duration { return &c.StartupMaxWait }, parseDuration),
	field("HEALTH_STARTUP_MAX_ATTEMPTS", "StartupMaxAttempts", func(c *Config) *int { return &c.StartupMaxAttempts }, parseInt),
	field("HEALTH_STARTUP_INITIAL_BACKOFF", "StartupInitialBackoff", func(c *Config) *time.Duration { return &c.StartupInitialBackoff }, parseDuration),
	field("HEALTH_STARTUP_MAX_BACKOFF", "StartupMaxBackoff", func(c *Config) *time.Duration { return &c.StartupMaxBackoff }, parseDuration),
	field("HEALTH_DRAIN_DELAY", "DrainDelay", func(c *Config) *time.Duration { return &c.DrainDelay }, parseDuration),
	field("HEALTH_PUBLIC_ERRORS", "PublicErrors", func(c *Config) *bool { return &c.PublicErrors }, parseBool),
	field("HEALTH_FAILURE_STATUS", "FailureStatus", func(c *Config) *int { return &c.FailureStatus }, parseInt),
	field("HEALTH_DEGRADED_STATUS", "DegradedStatus", func(c *Config) *int { return &c.DegradedStatus }, parseInt),
	field("HEALTH_METRICS_NAMESPACE", "MetricsNamespace", func(c *Config) *string { return &c.MetricsNamespace }, parseString),
	field("HEALTH_SERVICE_NAME", "ServiceName", func(c *Config) *string { return &c.ServiceName }, parseString),
	field("HEALTH_INSTANCE", "Instance", func(c *Config) *string { return &c.Instance }, parseString),
	secret(field("HEALTH_ALERTMANAGER_URL", "AlertmanagerURLs", func(c *Config) *[]string { return &c.AlertmanagerURLs }, parseAlertmanagerURLs)), // may carry user:password
	secret(field("HEALTH_WEBHOOK_URLS", "WebhookURLs", func(c *Config) *[]NamedURL { return &c.WebhookURLs }, parseWebhookURLs)),
	raw(secret(field("HEALTH_WEBHOOK_SECRET", "WebhookSecret", func(c *Config) *string { return &c.WebhookSecret }, parseWebhookSecret))),
	field("HEALTH_STATUS_PAGE_URL", "StatusPageURL", func(c *Config) *string { return &c.StatusPageURL }, parseStatusPageURL),
	field("HEALTH_ALERT_REPEAT_INTERVAL", "AlertRepeatInterval", func(c *Config) *time.Duration { return &c.AlertRepeatInterval }, parseDuration),
	field("HEALTH_ALERT_AFTER_FAILURES", "AlertAfterFailures", func(c *Config) *int { return &c.AlertAfterFailures }, parseInt),
	field("HEALTH_ALERT_ERROR_RATE_THRESHOLD", "AlertErrorRateThreshold", func(c *Config) *float64 { return &c.AlertErrorRateThreshold }, parseRatio),
	field("HEALTH_STORE", "Store", func(c *Config) *string { return &c.Store }, parseStore),
	field("HEALTH_STORE_SCHEMA", "StoreSchema", func(c *Config) *string { return &c.StoreSchema }, parseString),
	field("HEALTH_STORE_MIGRATE", "StoreMigrate", func(c *Config) *bool { return &c.StoreMigrate }, parseBool),
	field("HEALTH_ALERT_LATENCY_P95_THRESHOLD", "AlertLatencyP95Threshold", func(c *Config) *time.Duration { return &c.AlertLatencyP95Threshold }, parseDuration),
}

func settingOf(variable string) (setting, bool) {
	for _, s := range settings {
		if s.variable == variable {
			return s, true
		}
	}
	return setting{}, false
}

func parseString(v string) (string, error) { return v, nil }

// parsePath trims white space around a path, but refuses a value that is
// nothing but white space: it would silently mean the root ("") rather
// than the path meant.
func parsePath(v string) (string, error) {
	t := strings.TrimSpace(v)
	if t == "" && v != "" {
		return "", errors.New(`blank: want a path such as "/healthcheck" (leave the variable unset for the default, or set it empty on purpose)`)
	}
	return t, nil
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New("want true or false")
	}
	return b, nil
}

func parseInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errors.New("want an integer")
	}
	return n, nil
}

func parseRatio(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != f || f < 0 || f > 1 {
		return 0, errors.New("want a ratio between 0 and 1, e.g. 0.9")
	}
	return f, nil
}

// The rules of a level and of a check name, as the errors of LoadConfig and
// Validate state them.
const (
	ruleLevel     = "want basic, standard or comprehensive"
	ruleCheckName = `want a check name: printable ASCII without spaces, '/', '"' or '\'`
)

func parseLevel(v string) (checks.Level, error) {
	l, err := checks.ParseLevel(strings.ToLower(v))
	if err != nil {
		return 0, errors.New(ruleLevel)
	}
	return l, nil
}

func parseName(v string) (string, error) {
	if err := checks.ValidateName(v); err != nil {
		return "", errors.New(ruleCheckName)
	}
	return v, nil
}

func parseList(v string) ([]string, error) { return splitList(v), nil }

// parseSecret refuses an HMAC secret that is weak whatever its length
// (white space around it is dropped: a newline from a file, say).
func parseSecret(v string) (string, error) {
	if v == "" {
		return "", nil // unset in effect; Validate decides whether one is needed
	}
	if weak := weakSecret(v); weak != "" {
		return "", errors.New("refused: " + weak)
	}
	v = strings.TrimSpace(v)
	if weak := weakSecret(v); weak != "" {
		return "", errors.New("refused: " + weak)
	}
	return v, nil
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

// parseGroups parses HEALTH_GROUPS: comma-separated name=check+check.
func parseGroups(v string) ([]checks.Group, error) {
	var out []checks.Group
	for _, item := range splitList(v) {
		name, list, ok := strings.Cut(item, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, errors.New("want comma-separated name=check+check groups, e.g. core=database+migrations,cache=redis")
		}
		g := checks.Group{Name: name}
		for c := range strings.SplitSeq(list, "+") {
			if c = strings.TrimSpace(c); c != "" {
				g.Checks = append(g.Checks, c)
			}
		}
		out = append(out, g)
	}
	if err := checks.ValidateGroups(out, nil); err != nil {
		return nil, errors.New(groupReason(err))
	}
	return out, nil
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

// maxDuration is the longest duration parseDuration accepts.
const maxDuration = 24 * time.Hour

// parseDuration accepts Go duration syntax ("1.5s", "2m") or plain seconds
// ("30", "0.5"). Negative values and values over maxDuration (24h) are
// rejected, each with an error saying so.
func parseDuration(v string) (time.Duration, error) {
	expected := errors.New(`want a duration such as "5s", "1m" or plain seconds such as "30"`)
	tooLong := errors.New("must not exceed 24h")
	var d time.Duration
	if strings.HasPrefix(v, "-") {
		return 0, errors.New("must not be negative")
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case f != f: // NaN
			return 0, expected
		case f > maxDuration.Seconds():
			return 0, tooLong
		}
		d = time.Duration(f * float64(time.Second))
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, expected
		}
	}
	if d > maxDuration {
		return 0, tooLong
	}
	return d, nil
}
