package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// version is shown by the detailed route.
const version = "0.1.0"

// serve runs the service until SIGINT or SIGTERM and returns the exit code:
// 0 after a clean stop (also when the signal came during start), 1 on a
// bad configuration or a failed start or stop. A second SIGINT or SIGTERM
// during the stop (the drain lasts HEALTH_DRAIN_DELAY) abandons it: the
// embedded database, if any, is removed and the exit code is 130 (SIGINT)
// or 143 (SIGTERM), as for a process the signal ended.
func serve(web fx.Option) int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)

	// From here on SIGINT and SIGTERM end sigCtx instead of the process,
	// so that a signal during the embedded database's launch or the
	// startup gate still stops everything cleanly.
	sigs := watchSignals()
	defer sigs.stop()
	sigCtx := sigs.ctx

	// Check the health settings, values and how they combine, before
	// anything starts, so a bad variable costs no embedded database.
	cfg, err := loadConfig()
	if err != nil {
		logger.Error("invalid configuration", "error", err)
		return 1
	}
	db, err := openDatabase(logger)
	if err != nil {
		logger.Error("cannot open the database", "error", err)
		return 1
	}
	defer db.close(logger)
	if sigCtx.Err() != nil {
		logger.Info("signal received during start: exiting")
		return 0
	}

	secret, generated, err := jwtSecret(cfg)
	if err != nil {
		logger.Error("cannot generate a JWT secret", "error", err)
		return 1
	}
	app := fx.New(options(logger, db, secret, web)...)
	if err := app.Err(); err != nil {
		var ce *checks.ConfigError
		if errors.As(err, &ce) {
			err = ce // the setting, without fx's call chain
		}
		logger.Error("cannot build the application", "error", err)
		return 1
	}
	startCtx, cancel := context.WithTimeout(sigCtx, app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		if sigCtx.Err() != nil {
			logger.Info("signal received during start: stopped")
			return 0
		}
		logger.Error("start failed", "error", err)
		return 1
	}
	// From here a signal is a shutdown with the drain (below), no longer
	// a signal during start.
	logger.Info("service started")
	if generated {
		printCurl(secret, cfg.PathPrefix)
	}
	// fx's Wait also relays SIGINT and SIGTERM (exit code 0); a non-zero
	// exit code comes from fx.Shutdowner: the startup gate gave up.
	select {
	case <-sigCtx.Done():
	case sig := <-app.Wait():
		if sig.ExitCode != 0 && sigCtx.Err() == nil {
			logger.Info("the application is stopping itself", "exit_code", sig.ExitCode)
			stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
			defer cancelStop()
			if err := app.Stop(stopCtx); err != nil {
				logger.Error("stop failed", "error", err)
			}
			return sig.ExitCode
		}
		<-sigCtx.Done() // an OS signal, which our watcher sees too
	}
	logger.Info("signal received: shutting down", "signal", sigs.first.String())
	stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancelStop()
	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(stopCtx) }()
	select {
	case err := <-stopped:
		if err != nil {
			logger.Error("stop failed", "error", err)
			return 1
		}
		logger.Info("service stopped: every stop hook ran")
		return 0
	case sig := <-sigs.more:
		// The operator insists: skip the rest of the drain and the stop
		// hooks (the process ends with them), still remove the embedded
		// database (deferred above).
		code := exitCode(sig)
		logger.Warn("second signal: exiting at once without finishing the shutdown", "signal", sig.String(), "exit_code", code)
		return code
	}
}

// options assembles the fx app.
func options(logger *slog.Logger, db *database, secret string, web fx.Option) []fx.Option {
	return []fx.Option{
		fx.WithLogger(func() fxevent.Logger {
			// fx's own events (every constructor and hook) at debug, so
			// the service's log shows what matters; failures are logged
			// once, by serve.
			l := &fxevent.SlogLogger{Logger: logger}
			l.UseLogLevel(slog.LevelDebug)
			l.UseErrorLevel(slog.LevelDebug)
			return l
		}),
		fx.Supply(logger, db, healthfx.Version(version)),
		fx.Provide(newPool, NewRegistry, newMigrator),
		web,
		healthfx.SetDefaults(exampleDefaults),
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { return withKey(c, secret) }),
		healthfx.AsCheck(newMigrationsCheck),
		healthfx.AsCheck(newSchemaCheck),
		healthfx.AsCheck(newMemoryCheck),
		healthfx.AsCleanup(newCleanup),
		healthfx.Module,
	}
}

// exampleDefaults are the example's own defaults (the environment still
// overrides them): the metrics namespace "messenger" (the metric names the
// deploy kit's dashboard and alerts expect), the detailed route on, and
// the service's registry served at /metrics by the module.
func exampleDefaults(c *healthfx.Config) {
	c.MetricsNamespace = "messenger"
	c.Detailed = true
	c.MetricsPath = "/metrics"
}

// loadConfig is the module's configuration as the app will build it
// (defaults, the example's, the environment), validated, with a stand-in
// secret when no key source is configured (the app generates one).
func loadConfig() (healthfx.Config, error) {
	c := healthfx.DefaultConfig()
	exampleDefaults(&c)
	c, err := c.WithEnv(os.LookupEnv)
	if err != nil {
		return c, err
	}
	check := c
	withKey(&check, "a-stand-in-key-for-validation-0123456789")
	return c, check.Validate()
}

// withKey gives the detailed route the generated secret when no key
// source was configured.
func withKey(c *healthfx.Config, secret string) *healthfx.Config {
	if !hasKeySource(*c) {
		c.JWTSecret = secret
	}
	return c
}

// hasKeySource reports whether c names the detailed route's key:
// HEALTH_JWT_SECRET, HEALTH_JWT_PUBLIC_KEY_FILE or HEALTH_JWT_JWKS_URL.
// Each is the only key source then: no secret is generated beside it
// (the module refuses two).
func hasKeySource(c healthfx.Config) bool {
	return c.JWTSecret != "" || c.JWTPublicKeyFile != "" || c.JWTJWKSURL != ""
}

// jwtSecret returns a fresh random secret (generated true) when cfg has
// no key source, else cfg's secret, if any.
func jwtSecret(cfg healthfx.Config) (secret string, generated bool, err error) {
	if hasKeySource(cfg) {
		return cfg.JWTSecret, false, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return hex.EncodeToString(b), true, nil
}

// printCurl prints a ready-to-paste curl line for the detailed route with a
// token valid for 15 minutes, signed with the generated secret.
func printCurl(secret, prefix string) {
	now := time.Now()
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "example-operator", "iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(),
	}).SignedString([]byte(secret))
	if err != nil {
		return
	}
	addr := os.Getenv("HTTP_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	fmt.Printf("No HEALTH_JWT_SECRET set: generated one for this run. Detailed health, valid 15 minutes:\n"+
		"curl -s -H 'Authorization: Bearer %s' http://%s%s/detailed\n", token, net.JoinHostPort(host, port), prefix)
}
