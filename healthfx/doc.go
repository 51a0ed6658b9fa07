// Package healthfx wires the healthcheck packages into an Uber fx app.
//
// Add Module to fx.New. It consumes what the app owns (an *echo.Echo of
// Echo v4 or Echo v5, or a Router naming a group, an admin server or an
// *http.ServeMux, and
// when provided a *pgxpool.Pool, a *sql.DB, a *slog.Logger, a
// prometheus.Registerer and a Version) and adds, with no other code:
//
//   - the "database" check on the pool or the *sql.DB (both checked when
//     both are provided, the *sql.DB's named "sql"), external API and
//     downstream checks from the configuration (Redis is checked through
//     the app's own client by redishealth.Module), and the checks
//     contributed with AsCheck or SupplyCheck (registered in name order: value groups are unordered);
//   - the startup gate in an OnStart hook (a failure fails app.Start with
//     a *lifecycle.StartupError), the ready hooks contributed with
//     AsReadyHook or OnReady once it passed (the gate waits only for the
//     Required checks and those with Startup set: a ready hook that needs
//     an Optional dependency, such as redishealth's check by default, must
//     make that check Required or Startup), the periodic checks after
//     them, and in
//     OnStop the drain, the cleanups contributed with AsCleanup, and the
//     runner's close;
//   - the routes of package httphealth on the Echo (through echohealth or
//     echov5health) or on the Router's target;
//   - Prometheus metrics on the injected registerer (package promhealth),
//     never on the global one, updated when results arrive, and the
//     pool's statistics (promhealth.RegisterPool) when there is a pool;
//   - alerts pushed to Alertmanager and webhooks (HEALTH_ALERTMANAGER_URL,
//     HEALTH_WEBHOOK_URLS) and to the sinks contributed with AsAlertSink,
//     through package alerting: started with the app, flushed after the
//     drain on stop, with per-sink metrics.
//
// Configuration comes from HEALTH_* environment variables (Config; an app
// without fx loads the same with LoadConfig); set the code's defaults with
// SetDefaults, replace it with fx.Replace(&cfg) or adjust it with
// fx.Decorate(func(*healthfx.Config) *healthfx.Config). An invalid value
// fails fx.New with a *checks.ConfigError (errors.Is(err,
// checks.ErrInvalidConfig)) naming the variable, or the Config field for a
// value set in code: app.Err() is that error itself
// ("healthfx: HEALTH_...: ..."), not fx's wrapping chain.
//
// The detailed routes verify a JWT (a secret, a public key file, or an
// identity provider's JWKS, HEALTH_JWT_JWKS_URL, with key rotation), or
// the app's own httphealth.Authenticator when it provides one.
//
// # Limits
//
// The JWKS is the one peer this package reads itself: an answer is read up
// to 1 MiB (a JWKS holds a few keys of a few KB; a larger answer is an
// error, logged, and the last good keys stay), headers up to 64 KiB, each
// fetch bounded by 10 s, and a request waits at most 1 s for keys. A failed
// fetch is retried with backoff from 1 s to 30 s and spends no unknown-kid
// allowance (one fetch per 5 min for unknown kids while the provider is
// healthy); a stop cancels a fetch in flight. The other peers are read by
// the packages that talk to them (see their Limits).
//
// Nothing here is needed to use the library without fx: LoadConfig reads
// the same configuration, and the module's constructor (build.go) shows
// how the exported constructors of checks, lifecycle, httphealth,
// promhealth and alerting fit together.
package healthfx
