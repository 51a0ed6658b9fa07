package healthfx

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/alerting"
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
// "database" check; see Config.Database*), a *sql.DB of any database/sql
// driver (adds the same check through checks/sqlcheck, named "sql" when a
// *pgxpool.Pool is there too; see Config.DatabaseSQL), a Version, and an
// httphealth.Authenticator (the app's mTLS, IP allow-list or session,
// which guards the detailed routes instead of the JWT: with
// HEALTH_CHECK_DETAILED=true and no HEALTH_JWT_* key setting). It provides
// the *Config (see Config for the precedence of defaults, SetDefaults, the
// environment and fx.Decorate), the *checks.Runner, the
// *lifecycle.Lifecycle, and the level and groups as checks.Level named
// "health.level" and []checks.Group named "health.groups", for adapters
// such as grpchealth.Module that must read the same.
//
// Start: the startup gate makes its first attempt within fx's start, then
// goes on in the background (readiness "starting", the public route
// failing, liveness fine) until the required checks pass, with backoff,
// for at most HEALTH_STARTUP_MAX_WAIT; a failure the server calls
// permanent (a database that does not exist, a wrong password) fails
// app.Start at once with the server's message, and a gate that finally
// gives up stops the app through fx.Shutdowner with exit code 1. The
// periodic checks start after the gate.
//
// Stop: the drain (readiness 503 "draining", then HEALTH_DRAIN_DELAY) runs
// before any other stop hook of the app, whatever the order of the app's
// fx.Provide and fx.Invoke: Module decorates the root fx.Lifecycle so that
// the first stop hook to run waits for the drain. (An app that decorates
// fx.Lifecycle itself, or puts Module inside its own fx.Module, loses
// that guarantee for the hooks outside Module's scope.) Then the
// contributed cleanups run in reverse order and the runner closes.
//
// Errors: a bad HEALTH_* variable or setting, and any other error of the
// module's construction,
// is app.Err() itself, its message starting with "healthfx: " and the
// setting (a *checks.ConfigError), not wrapped in fx's chain of constructors:
// the module reports it from its own fx.Invoke, which runs before the
// app's root invokes. (A module of the app listed before Module that
// consumes what Module provides runs first and gets fx's wrapped error,
// with the same text at its end.) With fx.NopLogger fx prints nothing: print
// app.Err() and exit 1.
var Module = fx.Options(
	fx.Decorate(drainFirst),
	fx.Module("health",
		fx.Provide(
			provideConfig,
			build,
			func(b built) (provided, error) { return b.health, b.err },
		),
		fx.Invoke(
			checkEnv,
			func(b built) error { return b.err },
			func(*lifecycle.Lifecycle) {},
		),
	),
)

// built is newHealth's result, provided without failing so that the
// module's invoke returns its error unwrapped.
type built struct {
	health provided
	err    error
}

func build(p params) built {
	h, err := newHealth(p)
	return built{health: h, err: err}
}

// checkEnv returns the error of reading the environment (provideConfig's)
// unwrapped; provideConfig then succeeds when the app's invokes ask.
func checkEnv(p configParams) error {
	_, err := provideConfig(p)
	return err
}

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
//
// A check left at its zero values is Required and at LevelBasic: the
// startup gate waits for it, and it fails the public route and /ready
// when unhealthy (the gate logs the checks it waits for at start). Set
// Criticality: checks.Optional for a dependency the service can live
// without: it only degrades the status and never blocks the start.
// Timeout, Interval and TTL left at zero take HEALTH_CHECK_TIMEOUT,
// HEALTH_CHECK_INTERVAL and HEALTH_CHECK_CACHE_TTL.
func AsCheck(constructor any) fx.Option {
	return fx.Provide(fx.Annotate(constructor, fx.ResultTags(`group:"health.checks"`)))
}

// SupplyCheck contributes a ready-made check value (see AsCheck for what
// zero values mean).
func SupplyCheck(c checks.Check) fx.Option {
	return fx.Supply(fx.Annotated{Group: "health.checks", Target: c})
}

// AsCleanup contributes a shutdown step: constructor is any fx
// constructor returning Cleanup.
func AsCleanup(constructor any) fx.Option {
	return fx.Provide(fx.Annotate(constructor, fx.ResultTags(`group:"health.cleanups"`)))
}

// SetDefaults contributes the code's defaults: set runs on DefaultConfig
// before the environment is read, so a HEALTH_* variable still overrides
// what it sets, and fx.Decorate of *Config still has the last word. Any
// number may be given; they run in an unspecified order, so set disjoint
// fields.
func SetDefaults(set func(*Config)) fx.Option {
	return fx.Provide(fx.Annotate(func() defaultsFunc { return set }, fx.ResultTags(`group:"health.defaults"`)))
}

// defaultsFunc is a function contributed with SetDefaults.
type defaultsFunc func(*Config)

type configParams struct {
	fx.In
	Defaults []defaultsFunc `group:"health.defaults"`
}

// provideConfig builds the module's *Config: DefaultConfig, the code's
// defaults, then the environment. How the values combine is validated by
// newHealth, after any fx.Decorate.
func provideConfig(p configParams) (*Config, error) {
	c := DefaultConfig()
	for _, set := range p.Defaults {
		if set != nil {
			set(&c)
		}
	}
	c, err := c.WithEnv(nil)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// params is what the module consumes.
type params struct {
	fx.In

	Lifecycle  fx.Lifecycle
	Shutdowner fx.Shutdowner
	Echo       *echo.Echo  `optional:"true"`
	EchoV5     *echo5.Echo `optional:"true"`
	Router     Router      `optional:"true"`
	Config     *Config
	Logger     *slog.Logger          `optional:"true"`
	Registerer prometheus.Registerer `optional:"true"`
	Pool       *pgxpool.Pool         `optional:"true"`
	SQLDB      *sql.DB               `optional:"true"`
	Version    Version               `optional:"true"`
	Checks     []checks.Check        `group:"health.checks"`
	Cleanups   []Cleanup             `group:"health.cleanups"`
	AlertSinks []alerting.Sink       `group:"health.alert_sinks"`
	AlertOpts  []alerting.Option     `group:"health.alert_options"`
	ReadyHooks []ReadyHook           `group:"health.ready"`
	// Authenticator, when the app provides one (its mTLS, IP allow-list
	// or session), guards the detailed routes instead of the JWT: with
	// HEALTH_CHECK_DETAILED=true and no HEALTH_JWT_* key setting.
	Authenticator httphealth.Authenticator `optional:"true"`
}

// provided is what newHealth builds; its fields are provided to the app.
type provided struct {
	fx.Out

	Runner    *checks.Runner
	Lifecycle *lifecycle.Lifecycle
	// Level is HEALTH_CHECK_LEVEL, named "health.level", for adapters
	// such as grpchealth.Module that must read the same level.
	Level checks.Level `name:"health.level"`
	// Groups is HEALTH_GROUPS, named "health.groups", for the same
	// adapters.
	Groups []checks.Group `name:"health.groups"`
}
