// Package healthfx wires the healthcheck packages into an Uber fx app.
//
// Add Module to fx.New. It consumes what the app owns (an *echo.Echo, and
// when provided a *pgxpool.Pool, a *slog.Logger, a prometheus.Registerer
// and a Version) and adds, with no other code:
//
//   - the "database" check on the pool, Redis and external API checks from
//     the configuration, and the checks contributed with AsCheck or
//     SupplyCheck (registered in name order: value groups are unordered);
//   - the startup gate in an OnStart hook (a failure fails app.Start with
//     a *lifecycle.StartupError), the periodic checks after it, and in
//     OnStop the drain, the cleanups contributed with AsCleanup, and the
//     runner's close;
//   - the routes of package echohealth on the Echo;
//   - Prometheus metrics on the injected registerer (see Metrics), never on
//     the global one, updated when results arrive.
//
// Configuration comes from HEALTH_* environment variables (Config,
// ConfigFromEnv); replace it with fx.Replace(&cfg) or adjust it with
// fx.Decorate(func(*healthfx.Config) *healthfx.Config). An invalid value
// fails fx.New with a *ConfigError naming the variable.
//
// Nothing here is needed to use the library without fx: New shows how the
// exported constructors of checks, lifecycle and echohealth fit together.
package healthfx
