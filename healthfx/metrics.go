package healthfx

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/promhealth"
)

// poolStats adapts a *pgxpool.Pool to promhealth.RegisterPool: its own
// statistics, read at scrape time (no query, no connection).
func poolStats(pool *pgxpool.Pool) func() promhealth.PoolStats {
	return func() promhealth.PoolStats {
		s := pool.Stat()
		return promhealth.PoolStats{
			Acquired:         int64(s.AcquiredConns()),
			Idle:             int64(s.IdleConns()),
			Total:            int64(s.TotalConns()),
			Max:              int64(s.MaxConns()),
			Acquires:         s.AcquireCount(),
			EmptyAcquires:    s.EmptyAcquireCount(),
			CanceledAcquires: s.CanceledAcquireCount(),
			AcquireDuration:  s.AcquireDuration(),
		}
	}
}
