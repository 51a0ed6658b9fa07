package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/lifecycle"
)

// version is shown by the detailed route.
const version = "0.1.0"

// serve runs the service until SIGINT or SIGTERM and returns the exit code.
func serve() int {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)

	// Validate the health settings before anything starts, so a bad
	// variable costs no embedded database.
	if _, err := healthfx.ConfigFromEnv(); err != nil {
		logger.Error("invalid configuration", "error", err)
		return 1
	}
	db, err := openDatabase(logger)
	if err != nil {
		logger.Error("cannot open the database", "error", err)
		return 1
	}
	defer db.close(logger)

	secret, generated, err := jwtSecret()
	if err != nil {
		logger.Error("cannot generate a JWT secret", "error", err)
		return 1
	}
	app := fx.New(options(logger, db, secret)...)
	if err := app.Err(); err != nil {
		logger.Error("invalid configuration", "error", err)
		return 1
	}
	// Subscribe to SIGINT/SIGTERM before starting, so a signal during the
	// startup gate stops the app (and removes an embedded database)
	// instead of killing the process.
	done := app.Done()
	startCtx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		logger.Error("start failed", "error", err)
		return 1
	}
	if generated {
		printCurl(secret)
	}
	sig := <-done
	logger.Info("signal received: shutting down", "signal", sig.String())
	stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancelStop()
	if err := app.Stop(stopCtx); err != nil {
		logger.Error("stop failed", "error", err)
		return 1
	}
	return 0
}

// options assembles the fx app.
func options(logger *slog.Logger, db *database, secret string) []fx.Option {
	return []fx.Option{
		fx.WithLogger(func() fxevent.Logger { return &fxevent.SlogLogger{Logger: logger} }),
		fx.Supply(logger, db, healthfx.Version(version)),
		fx.Provide(newPool, newRegistry, newEcho),
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { return exampleDefaults(c, secret) }),
		healthfx.AsCheck(newSchemaCheck),
		healthfx.AsCheck(newMemoryCheck),
		healthfx.AsCleanup(newCleanup),
		healthfx.Module,
		// Appended after the module's hook, so it runs once the startup
		// gate has seen the database; then the schema check is refreshed
		// so the first probe does not read the pre-migration result.
		fx.Invoke(func(lc fx.Lifecycle, pool *pgxpool.Pool, runner *checks.Runner, _ *lifecycle.Lifecycle) {
			lc.Append(fx.StartHook(func(ctx context.Context) error {
				if err := migrate(ctx, pool); err != nil {
					return err
				}
				// Refresh may join a run that started before the
				// migration (the gate's first attempt runs optional
				// checks too); a second one then starts after it.
				for range 2 {
					res, err := runner.Refresh(ctx, "schema")
					if err != nil || res.Status.OK() {
						return err
					}
				}
				return nil
			}))
		}),
	}
}

// exampleDefaults applies the example's own defaults where the environment
// says nothing: the seed's metrics namespace, and the detailed route on
// with the key in use.
func exampleDefaults(c *healthfx.Config, secret string) *healthfx.Config {
	if _, ok := os.LookupEnv("HEALTH_METRICS_NAMESPACE"); !ok {
		c.MetricsNamespace = "messenger"
	}
	if _, ok := os.LookupEnv("HEALTH_CHECK_DETAILED"); !ok {
		c.Detailed = true
	}
	if c.JWTSecret == "" && c.JWTPublicKeyFile == "" {
		c.JWTSecret = secret
	}
	return c
}

// jwtSecret returns HEALTH_JWT_SECRET, or a fresh random secret (generated
// true) when neither it nor HEALTH_JWT_PUBLIC_KEY_FILE is set.
func jwtSecret() (secret string, generated bool, err error) {
	if s := os.Getenv("HEALTH_JWT_SECRET"); s != "" || os.Getenv("HEALTH_JWT_PUBLIC_KEY_FILE") != "" {
		return s, false, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return hex.EncodeToString(b), true, nil
}

// printCurl prints a ready-to-paste curl line for the detailed route with a
// token valid for 15 minutes, signed with the generated secret.
func printCurl(secret string) {
	now := time.Now()
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "example-operator", "iat": now.Unix(), "exp": now.Add(15 * time.Minute).Unix(),
	}).SignedString([]byte(secret))
	if err != nil {
		return
	}
	addr := os.Getenv("HTTP_ADDR")
	if addr == "" {
		addr = defaultAddr
	}
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	fmt.Printf("No HEALTH_JWT_SECRET set: generated one for this run. Detailed health, valid 15 minutes:\n"+
		"curl -s -H 'Authorization: Bearer %s' http://%s/healthcheck/detailed\n", token, net.JoinHostPort(host, port))
}
