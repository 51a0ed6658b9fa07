package healthfx

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/pgstore"
)

// Values of HEALTH_STORE.
const (
	storeOff      = "off"
	storePostgres = "postgres"
)

// parseStore accepts "", "off" and "postgres" (any case, trimmed).
func parseStore(v string) (string, error) {
	switch s := strings.ToLower(strings.TrimSpace(v)); s {
	case "", storeOff:
		return "", nil
	case storePostgres:
		return s, nil
	}
	return "", errors.New(`want "postgres" or "off"`)
}

// validateStore checks the store's settings.
func (c Config) validateStore() error {
	switch c.Store {
	case "", storeOff, storePostgres:
	default:
		return c.bad("HEALTH_STORE", `want "postgres" or "off"`)
	}
	if c.Store == storePostgres && !pgstore.ValidSchema(c.StoreSchema) {
		return c.bad("HEALTH_STORE_SCHEMA", "want an unquoted lower-case identifier (letters, digits, '_', at most 63 bytes), e.g. healthcheck")
	}
	return nil
}

// newStore builds the store when HEALTH_STORE=postgres, fed by runner's
// hooks; nil when the store is off.
func newStore(cfg Config, runner *checks.Runner, pool *pgxpool.Pool, version string) (*pgstore.Store, error) {
	if cfg.Store != storePostgres {
		return nil, nil
	}
	if pool == nil {
		return nil, configError("HEALTH_STORE", cfg.Store,
			"needs the app to provide its *pgxpool.Pool (the store keeps the history in the app's PostgreSQL)")
	}
	st, err := pgstore.New(pool, pgstore.Config{
		Service:   cfg.ServiceName,
		Instance:  cfg.Instance, // HEALTH_INSTANCE; default host name and PID, as alerting's
		Version:   version,
		Schema:    cfg.StoreSchema,
		CheckOnly: !cfg.StoreMigrate,
		Interval:  max(cfg.Interval, time.Second), // the store's least interval
	})
	if err != nil {
		return nil, err // a *checks.ConfigError of pgstore
	}
	runner.AddHooks(st.Hooks())
	return st, nil
}

// appendStoreHooks creates or checks the store's tables at start (a
// missing table with HEALTH_STORE_MIGRATE=false fails the start, naming
// what to run) and, at stop, writes what waits within half the time left
// of the stop budget, at most 5 s. Appended before the health hook, it
// starts first and stops last, after the last results.
func appendStoreHooks(lc fx.Lifecycle, st *pgstore.Store, logger *slog.Logger) {
	lc.Append(fx.Hook{
		OnStart: st.Start,
		OnStop: func(ctx context.Context) error {
			budget := 5 * time.Second
			if d, ok := ctx.Deadline(); ok {
				budget = min(budget, time.Until(d)/2)
			}
			ctx, cancel := context.WithTimeout(ctx, budget)
			defer cancel()
			if err := st.Stop(ctx); err != nil {
				logger.Warn("health store: the last write failed", "error", err)
			}
			if n := st.Dropped(); n > 0 {
				logger.Warn("health store: events dropped while the database could not be written", "dropped", n)
			}
			return nil
		},
	})
}
