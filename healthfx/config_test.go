package healthfx_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

const secret = "0123456789abcdef0123456789abcdef-secret"

func TestLoadConfigDefaults(t *testing.T) {
	c, err := healthfx.LoadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	want := healthfx.DefaultConfig()
	if c.Timeout != 5*time.Second || c.Level != checks.LevelStandard || !c.ExternalAPIs || c.Detailed ||
		c.FailureStatus != 500 || !c.PublicErrors || c.StartupMaxAttempts != 0 || c.StartupMaxWait != time.Minute ||
		c.StartupInitialBackoff != time.Second || c.StartupMaxBackoff != 8*time.Second || c.DrainDelay != want.DrainDelay ||
		c.ProbeBudget != 500*time.Millisecond || c.PathPrefix != "/healthcheck" || !c.Live || !c.Ready || !c.Database ||
		c.DatabaseName != "database" || !c.DatabaseRequired || c.HistorySize != 20 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadConfigValues(t *testing.T) {
	c, err := healthfx.LoadConfig(env(
		"HEALTH_CHECK_TIMEOUT", "30",
		"HEALTH_CHECK_INTERVAL", "1m",
		"HEALTH_CHECK_CACHE_TTL", "0.5",
		"HEALTH_CHECK_LEVEL", "comprehensive",
		"HEALTH_CHECK_EXTERNAL_APIS", "false",
		"HEALTH_CHECK_EXTERNAL_URLS", "payments=https://pay.example/health, geo=http://geo:8080/h",
		"HEALTH_CHECK_DETAILED", "true",
		"HEALTH_JWT_SECRET", secret+secret, // HS512 needs 64 bytes: New would refuse fewer, and so does LoadConfig
		"HEALTH_JWT_ALGORITHMS", "HS256,HS512",
		"HEALTH_JWT_ISSUER", "ops",
		"HEALTH_JWT_AUDIENCE", "health",
		"HEALTH_STARTUP_MAX_ATTEMPTS", "3",
		"HEALTH_STARTUP_MAX_WAIT", "10s",
		"HEALTH_DRAIN_DELAY", "0",
		"HEALTH_PUBLIC_ERRORS", "false",
		"HEALTH_FAILURE_STATUS", "503",
		"HEALTH_METRICS_NAMESPACE", "messenger",
	))
	if err != nil {
		t.Fatal(err)
	}
	if c.Timeout != 30*time.Second || c.Interval != time.Minute || c.CacheTTL != 500*time.Millisecond ||
		c.Level != checks.LevelComprehensive || c.ExternalAPIs || len(c.ExternalURLs) != 2 || c.ExternalURLs[1].Name != "geo" ||
		!c.Detailed || len(c.JWTAlgorithms) != 2 || c.JWTIssuer != "ops" ||
		c.StartupMaxAttempts != 3 || c.StartupMaxWait != 10*time.Second || c.DrainDelay != 0 || c.PublicErrors ||
		c.FailureStatus != 503 || c.MetricsNamespace != "messenger" {
		t.Fatalf("parsed: %+v", c)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		variable string
		value    string
		extra    []string
	}{
		{"HEALTH_CHECK_TIMEOUT", "soon", nil},
		{"HEALTH_CHECK_TIMEOUT", "-1", nil},
		{"HEALTH_CHECK_TIMEOUT", "0", nil},
		{"HEALTH_CHECK_INTERVAL", "1x", nil},
		{"HEALTH_CHECK_CACHE_TTL", "NaN", nil},
		{"HEALTH_CHECK_CACHE_TTL", "1m", nil}, // longer than the interval
		{"HEALTH_CHECK_EXTERNAL_URLS", "café=http://x", nil},
		{"HEALTH_CHECK_LEVEL", "full", nil},
		{"HEALTH_CHECK_EXTERNAL_APIS", "maybe", nil},
		{"HEALTH_CHECK_EXTERNAL_URLS", "payments", nil},
		{"HEALTH_CHECK_EXTERNAL_URLS", "payments=ftp://x", nil},
		{"HEALTH_CHECK_DETAILED", "2", nil},
		{"HEALTH_STARTUP_MAX_ATTEMPTS", "-1", nil},
		{"HEALTH_STARTUP_MAX_ATTEMPTS", "many", nil},
		{"HEALTH_STARTUP_MAX_WAIT", "forever", nil},
		{"HEALTH_DRAIN_DELAY", "-5s", nil},
		{"HEALTH_PUBLIC_ERRORS", "sometimes", nil},
		{"HEALTH_FAILURE_STATUS", "418", nil},
		{"HEALTH_METRICS_NAMESPACE", "my-app", nil},
		{"HEALTH_JWT_SECRET", "short-secret-hunter2", nil},
		{"HEALTH_JWT_ALGORITHMS", "none", []string{"HEALTH_JWT_SECRET", secret}},
		{"HEALTH_JWT_SECRET", "", []string{"HEALTH_CHECK_DETAILED", "true"}}, // detailed with no key
	}
	for _, tt := range tests {
		t.Run(tt.variable+"="+tt.value, func(t *testing.T) {
			kv := append([]string{tt.variable, tt.value}, tt.extra...)
			if tt.value == "" {
				kv = tt.extra
			}
			_, err := healthfx.LoadConfig(env(kv...))
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, checks.ErrInvalidConfig) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if ce.Setting != tt.variable || !strings.Contains(err.Error(), tt.variable) || ce.Reason == "" {
				t.Fatalf("error %q does not name %s", err, tt.variable)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), secret) {
				t.Fatalf("error echoes a secret: %q", err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := map[string]time.Duration{"30": 30 * time.Second, "0.25": 250 * time.Millisecond, "2s": 2 * time.Second, "1m30s": 90 * time.Second}
	for in, want := range tests {
		got, err := healthfx.ParseDuration(in)
		if err != nil || got != want {
			t.Fatalf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "x", "-1", "1e300", "48h", "Inf"} {
		if _, err := healthfx.ParseDuration(in); err == nil {
			t.Fatalf("ParseDuration(%q) accepted", in)
		}
	}
}

// FuzzLoadConfig feeds arbitrary values to every variable: the parser must
// never panic, and any error must be a *ConfigError naming a variable
// without echoing a secret.
func FuzzLoadConfig(f *testing.F) {
	vars := []string{"HEALTH_CHECK_TIMEOUT", "HEALTH_CHECK_LEVEL", "HEALTH_CHECK_EXTERNAL_URLS", "HEALTH_JWT_SECRET",
		"HEALTH_FAILURE_STATUS", "HEALTH_DRAIN_DELAY", "HEALTH_JWT_ALGORITHMS", "HEALTH_CHECK_DETAILED"}
	for _, seed := range []string{"30", "2s", "basic", "a=http://x", secret, "503", "-1", "HS256", "true", "\x00", "1e309"} {
		f.Add(uint8(0), seed)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		name := vars[int(which)%len(vars)]
		c, err := healthfx.LoadConfig(env(name, value))
		if err == nil {
			if err := c.Validate(); err != nil {
				t.Fatalf("LoadConfig accepted a config that Validate rejects: %v", err)
			}
			return
		}
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || ce.Setting == "" {
			t.Fatalf("error %v is not a *ConfigError", err)
		}
		if (name == "HEALTH_JWT_SECRET" || name == "HEALTH_CHECK_EXTERNAL_URLS") && ce.Value != "" {
			t.Fatalf("error echoes a secret: %q", err)
		}
	})
}
