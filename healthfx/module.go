package healthfx

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/lifecycle"
)

// Module wires health checking into an fx app. Add it to fx.New; it needs
// somewhere to put its routes: the app's *echo.Echo, Echo v4's or Echo
// v5's, whichever the app provides, or a Router (a group, an admin server,
// an *http.ServeMux; required when the app provides both Echos, and
// fx.New fails with ErrNoRouter, saying what to provide, when there is
// none). It consumes, when the app provides them, a *slog.Logger
// (default slog.Default()), a prometheus.Registerer (no metrics without
// one; never the global registry), a *pgxpool.Pool (adds the required
// "database" check) and a Version. It provides the *Config it loaded from
// the environment (replace it with fx.Replace, adjust it with fx.Decorate),
// the *checks.Runner and the *lifecycle.Lifecycle.
//
// On start, the startup gate waits for the required checks (backoff with
// jitter, bounded by HEALTH_STARTUP_MAX_WAIT) and a failure fails app.Start
// with a *lifecycle.StartupError; fx then rolls back the hooks that already
// started. The periodic checks start after the gate. On stop, readiness
// fails at once, the drain delay passes, then the contributed cleanups run
// in reverse order and the runner closes.
//
// Hook order: fx starts hooks in the order they were appended and stops
// them in reverse. An HTTP server whose hook is appended in the constructor
// of the *echo.Echo (the usual fx pattern) starts before the gate, so
// probes reach it while starting and /healthcheck/ready answers 503 until
// the gate passes; on stop the drain then runs while the server still
// serves, before the server's own stop hook. A server started after the
// module sees the gate already passed; either way readiness is 503 until it
// has.
var Module = fx.Module("health",
	fx.Provide(
		LoadConfigFromEnv,
		New,
	),
	fx.Invoke(func(*lifecycle.Lifecycle) {}),
)

// Version is the application's version, shown by the detailed route.
// Supply it with fx.Supply(healthfx.Version("1.4.2")).
type Version string

// Cleanup is a shutdown step contributed with AsCleanup. Cleanups run after
// the drain, in reverse registration order; they are registered by
// ascending Order, then Name, so a higher Order runs earlier.
type Cleanup struct {
	Name  string
	Order int
	Func  func(ctx context.Context) error
}

// AsCheck contributes a check to the module: constructor is any fx
// constructor returning checks.Check (optionally with an error). Checks
// are registered in name order whatever the order of contribution.
func AsCheck(constructor any) fx.Option {
	return fx.Provide(fx.Annotate(constructor, fx.ResultTags(`group:"health.checks"`)))
}

// SupplyCheck contributes a ready-made check value.
func SupplyCheck(c checks.Check) fx.Option {
	return fx.Supply(fx.Annotated{Group: "health.checks", Target: c})
}

// AsCleanup contributes a shutdown step: constructor is any fx
// constructor returning Cleanup.
func AsCleanup(constructor any) fx.Option {
	return fx.Provide(fx.Annotate(constructor, fx.ResultTags(`group:"health.cleanups"`)))
}

// LoadConfigFromEnv provides the module's *Config parsed from the
// environment (ParseConfig): an invalid value fails fx.New with a
// *ConfigError naming its variable. How the values combine is validated by
// New, after any fx.Decorate, so a decorator can complete the settings
// (e.g. supply the JWT secret that HEALTH_CHECK_DETAILED=true needs).
func LoadConfigFromEnv() (*Config, error) {
	c, err := ParseConfig(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Params is what New consumes.
type Params struct {
	fx.In

	Lifecycle  fx.Lifecycle
	Echo       *echo.Echo  `optional:"true"`
	EchoV5     *echo5.Echo `optional:"true"`
	Router     Router      `optional:"true"`
	Config     *Config
	Logger     *slog.Logger          `optional:"true"`
	Registerer prometheus.Registerer `optional:"true"`
	Pool       *pgxpool.Pool         `optional:"true"`
	Version    Version               `optional:"true"`
	Checks     []checks.Check        `group:"health.checks"`
	Cleanups   []Cleanup             `group:"health.cleanups"`
}

// Health is what New builds; its fields are also provided to the app.
type Health struct {
	fx.Out

	Runner    *checks.Runner
	Lifecycle *lifecycle.Lifecycle
}

// New builds the runner, the lifecycle and the metrics, registers the
// routes on the Echo and appends the start and stop hooks. Module calls it;
// apps without fx can follow its body, every piece being exported.
func New(p Params) (Health, error) {
	cfg := *p.Config
	if err := cfg.Validate(); err != nil {
		return Health{}, err
	}
	logger := p.Logger
	if logger == nil {
		logger = slog.Default()
	}

	var metrics *Metrics
	var runnerOpts []checks.Option
	if p.Registerer != nil {
		var err error
		if metrics, err = NewMetrics(p.Registerer, cfg.MetricsNamespace); err != nil {
			return Health{}, err
		}
		runnerOpts = append(runnerOpts, checks.WithHooks(metrics.CheckHooks()))
		if p.Pool != nil {
			if err := RegisterPoolCollector(p.Registerer, cfg.MetricsNamespace, p.Pool); err != nil {
				return Health{}, err
			}
		}
	}
	runner := checks.NewRunner(runnerOpts...)

	list, err := buildChecks(cfg, p.Pool, p.Checks)
	if err != nil {
		return Health{}, err
	}
	if err := runner.Register(list...); err != nil {
		return Health{}, fmt.Errorf("healthfx: %w", err)
	}
	if metrics != nil {
		names := make([]string, len(list))
		for i, c := range list {
			names[i] = c.Name
		}
		metrics.Init(names)
	}

	lcOpts := []lifecycle.Option{
		lifecycle.WithLogger(logger),
		lifecycle.WithStartupMaxAttempts(cfg.StartupMaxAttempts),
		lifecycle.WithStartupMaxWait(cfg.StartupMaxWait),
		lifecycle.WithDrainDelay(cfg.DrainDelay),
	}
	if metrics != nil {
		lcOpts = append(lcOpts, lifecycle.WithHooks(lifecycle.Hooks{
			OnStartupAttempt: func(check string, _ int, ok bool) { metrics.ObserveStartupAttempt(check, ok) },
			OnRemediation:    func(check string, _ error) { metrics.ObserveRemediation(check) },
		}))
	}
	lc := lifecycle.New(runner, lcOpts...)
	cleanups := slices.Clone(p.Cleanups)
	slices.SortFunc(cleanups, func(a, b Cleanup) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, c := range cleanups {
		if c.Func != nil {
			lc.AddCleanup(c.Name, c.Func)
		}
	}

	routeOpts := []httphealth.Option{
		httphealth.WithReadiness(lc),
		httphealth.WithLiveness(lc),
		httphealth.WithLevel(cfg.Level),
		httphealth.WithFailureStatus(cfg.FailureStatus),
		httphealth.WithPublicErrors(cfg.PublicErrors),
		httphealth.WithVersion(string(p.Version)),
	}
	if cfg.Detailed {
		auth, err := newJWT(cfg, logger)
		if err != nil {
			return Health{}, err
		}
		routeOpts = append(routeOpts, httphealth.WithDetailed(auth))
	}
	router, err := pickRouter(p.Router, p.Echo, p.EchoV5)
	if err != nil {
		return Health{}, err
	}
	if err := router.register(runner, routeOpts...); err != nil {
		return Health{}, fmt.Errorf("healthfx: %s: %w", router.kind, err)
	}

	p.Lifecycle.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			err := lc.Start(ctx)
			if err != nil {
				// fx does not run the stop hook of a failed start hook.
				runner.Close()
			}
			return err
		},
		OnStop: func(ctx context.Context) error {
			err := lc.Stop(ctx)
			runner.Close()
			return err
		},
	})
	return Health{Runner: runner, Lifecycle: lc}, nil
}

// buildChecks returns the configured built-in checks and the contributed
// ones, in name order, with the configured timings filled into zero fields.
func buildChecks(cfg Config, pool *pgxpool.Pool, contributed []checks.Check) ([]checks.Check, error) {
	var list []checks.Check
	if pool != nil {
		list = append(list, checks.Postgres(pool, checks.PostgresConfig{}))
	}
	if cfg.Redis {
		list = append(list, checks.Redis(cfg.RedisAddr, checks.RedisConfig{Password: cfg.RedisPassword}))
	}
	if cfg.ExternalAPIs {
		for _, u := range cfg.ExternalURLs {
			c, err := checks.HTTP(u.Name, u.URL, checks.HTTPConfig{})
			if err != nil {
				return nil, &ConfigError{Variable: "HEALTH_CHECK_EXTERNAL_URLS", Expected: err.Error()}
			}
			if slices.ContainsFunc(list, func(b checks.Check) bool { return b.Name == c.Name }) {
				return nil, &ConfigError{Variable: "HEALTH_CHECK_EXTERNAL_URLS", Expected: fmt.Sprintf("the name %q is taken by a built-in check", c.Name)}
			}
			list = append(list, c)
		}
	}
	list = append(list, contributed...)
	slices.SortStableFunc(list, func(a, b checks.Check) int { return strings.Compare(a.Name, b.Name) })
	for i := range list {
		c := &list[i]
		if c.Timeout == 0 {
			c.Timeout = cfg.Timeout
		}
		if c.Interval == 0 {
			c.Interval = cfg.Interval
		}
		if c.TTL == 0 {
			c.TTL = cfg.CacheTTL
		}
	}
	return list, nil
}

// newJWT builds the detailed route's verifier from the JWT settings.
func newJWT(cfg Config, logger *slog.Logger) (*httphealth.JWT, error) {
	jc := httphealth.JWTConfig{
		Algorithms: cfg.JWTAlgorithms,
		Issuer:     cfg.JWTIssuer,
		Audience:   cfg.JWTAudience,
		Logger:     logger,
	}
	variable := "HEALTH_JWT_SECRET"
	if cfg.JWTPublicKeyFile != "" {
		variable = "HEALTH_JWT_PUBLIC_KEY_FILE"
		key, err := readPublicKey(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, &ConfigError{Variable: variable, Value: cfg.JWTPublicKeyFile, Expected: err.Error()}
		}
		jc.PublicKey = key
	} else {
		jc.Secret = []byte(cfg.JWTSecret)
	}
	j, err := httphealth.NewJWT(jc)
	if err != nil {
		keyVsAlg := errors.Is(err, httphealth.ErrKeyMismatch) || errors.Is(err, httphealth.ErrNoKey)
		if errors.Is(err, httphealth.ErrBadAlgorithm) || (keyVsAlg && len(cfg.JWTAlgorithms) > 0) {
			// The algorithms asked for do not fit the key given.
			variable = "HEALTH_JWT_ALGORITHMS"
		}
		return nil, &ConfigError{Variable: variable, Expected: err.Error()}
	}
	return j, nil
}

// readPublicKey reads a PEM "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" file.
func readPublicKey(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New("want a readable PEM public key file")
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("want a PEM public key file")
	}
	switch block.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("want a PUBLIC KEY PEM block, got %q", block.Type)
}
