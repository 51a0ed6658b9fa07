package main

import "time"

// The soak test's settings. The service runs with a 500 ms cache TTL, a 1 s
// check timeout and a 2 s periodic interval.
const (
	soakSecret   = "soak-secret-0123456789abcdef0123456789ab" // 40 characters
	soakTTL      = 500 * time.Millisecond
	soakTimeout  = time.Second
	soakInterval = 2 * time.Second

	soakWorkers = 64
	// soakRPS caps the total request rate (HEALTHCHECK_SOAK_RPS overrides,
	// 0 = flat out), paced per worker (no shared state per request). 64
	// workers flat out saturate a 2-core machine (about 7000 req/s with
	// the race-instrumented client), which then measures the scheduler
	// and starves whatever else runs there (go test runs packages in
	// parallel); 2000 req/s is still a thousand requests per TTL, enough
	// to hit every cache edge.
	soakRPS           = 2000
	soakClientTimeout = 3 * time.Second
	// soakDBChecks is the number of checks that query the database:
	// database (SELECT 1) and schema (one query).
	soakDBChecks = 2
	// soakDetectSlack is added to TTL + Timeout for polling and scheduling.
	soakDetectSlack = time.Second
	soakSampleEvery = 50 * time.Millisecond
	// soakCloseWindow is how long a connection whose query failed may stay
	// counted in the pool: pgx closes it asynchronously, first sending a
	// cancel request with a 15 s deadline (pgconn's asyncClose), which a
	// paused server answers only on resume.
	soakCloseWindow = 15 * time.Second
)

// soakPausedDialPileUp, when true, tolerates from the pause on a pool that fills up to
// its MaxConns with connection attempts (which stay as idle connections
// once the server resumes). The example's pool has no connect timeout
// (DATABASE_URL has no connect_timeout and newPool sets none), and pgxpool
// lets a dial started by Acquire outlive the caller's context: every
// database probe that finds no idle connection starts one more dial, which
// hangs until the server resumes. The timed-out connection also stays
// counted as acquired while pgx closes it (up to 15 s: it first sends a
// cancel request on a new connection). The checks themselves still hold at
// most one acquired connection each. Set it to false once the pool's dials
// are bounded (pgxpool Config.ConnConfig.ConnectTimeout <= the check
// timeout), to hold the paused and resumed phases to the bound of the
// others.
const soakPausedDialPileUp = false

// The phases of the soak, in order.
const (
	soakHealthy = iota
	soakStopped
	soakRestarted
	soakPaused
	soakResumed
	soakNumPhases
)

var soakPhaseNames = [soakNumPhases]string{"healthy", "stopped", "restarted", "paused", "resumed"}
