package healthfx

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/downstream"
	"github.com/echofx/healthcheck/checks/httpcheck"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/checks/sqlcheck"
)

// buildChecks returns the configured built-in checks and the contributed
// ones, in name order, with the configured timings filled into zero fields.
func buildChecks(cfg Config, pool *pgxpool.Pool, db *sql.DB, contributed []checks.Check) ([]checks.Check, error) {
	var list []checks.Check
	if db != nil && cfg.Database && cfg.DatabaseSQL {
		name := cfg.DatabaseName
		if pool != nil {
			name = cfg.DatabaseSQLName
			if name == cfg.DatabaseName {
				return nil, configError("HEALTH_CHECK_DATABASE_SQL_NAME", name, "a name other than HEALTH_CHECK_DATABASE_NAME's: the app provides a *pgxpool.Pool and a *sql.DB, each checked")
			}
		}
		c, err := sqlcheck.New(db, sqlcheck.Config{
			Name:          name,
			PoolThreshold: disabledAsNegative(cfg.DatabasePoolThreshold),
			SlowThreshold: disabledAsNegativeDuration(cfg.DatabaseSlowThreshold),
		})
		if err != nil { // unreachable: db is not nil
			return nil, err
		}
		c.Criticality = criticality(cfg.DatabaseRequired)
		c.Level = cfg.DatabaseLevel
		list = append(list, c)
	}
	if pool != nil && cfg.Database {
		c, err := pgcheck.New(pool, pgcheck.Config{
			Name:          cfg.DatabaseName,
			PoolThreshold: disabledAsNegative(cfg.DatabasePoolThreshold),
			SlowThreshold: disabledAsNegativeDuration(cfg.DatabaseSlowThreshold),
		})
		if err != nil { // unreachable: pool is not nil
			return nil, err
		}
		c.Criticality = criticality(cfg.DatabaseRequired)
		c.Level = cfg.DatabaseLevel
		list = append(list, c)
	}
	add := func(variable string, c checks.Check, err error, required bool) error {
		if err != nil {
			return configError(variable, "", err.Error())
		}
		if slices.ContainsFunc(list, func(b checks.Check) bool { return b.Name == c.Name }) {
			return configError(variable, "", fmt.Sprintf("the name %q is taken by another configured check", c.Name))
		}
		c.Criticality = criticality(required)
		list = append(list, c)
		return nil
	}
	if cfg.ExternalAPIs {
		for _, u := range cfg.ExternalURLs {
			c, err := httpcheck.New(u.URL, httpcheck.Config{Name: u.Name})
			if err := add("HEALTH_CHECK_EXTERNAL_URLS", c, err, cfg.ExternalRequired); err != nil {
				return nil, err
			}
		}
	}
	for _, u := range cfg.DownstreamURLs {
		c, err := downstream.New(u.URL, downstream.Config{Name: u.Name, TokenFile: cfg.DownstreamTokenFile})
		if err := add("HEALTH_CHECK_DOWNSTREAM_URLS", c, err, cfg.DownstreamRequired); err != nil {
			return nil, err
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

func criticality(required bool) checks.Criticality {
	if required {
		return checks.Required
	}
	return checks.Optional
}

// disabledAsNegative maps the configuration's 0 ("disabled") to the
// integrations' checks.Off (0 there means the default).
func disabledAsNegative(f float64) float64 {
	if f == 0 {
		return checks.Off
	}
	return f
}

// disabledAsNegativeDuration is disabledAsNegative for durations.
func disabledAsNegativeDuration[T ~int64](d T) T {
	if d == 0 {
		return checks.Off
	}
	return d
}
