package pgstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store keeps one replica's part of a service's shared health history and
// reads the whole service's. Build it with New, feed it with Hooks, run it
// with Start and Stop. Its methods are safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	cfg  Config

	mu      sync.Mutex // guards the fields below
	pend    pending
	latest  map[string]checks.Result
	dropped uint64
	started time.Time
	stopped bool // Stop began: the last heartbeat reads "gone"
	run     bool // Start succeeded and Stop has not begun

	io        sync.Mutex // one database exchange at a time: one connection
	lastWaits int64      // pool's EmptyAcquireCount at the last cycle (under io)
	lastMaint time.Time  // under io

	quit   chan struct{}
	done   chan struct{}
	cancel context.CancelFunc
}

// New returns a Store on the application's pool; it does not touch the
// database until Start. A nil pool or a bad Config is a
// *checks.ConfigError.
func New(pool *pgxpool.Pool, cfg Config) (*Store, error) {
	if pool == nil {
		return nil, cfgErr("pool", "", "nil *pgxpool.Pool: the store writes to the application's pool")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Store{pool: pool, cfg: cfg, pend: newPending(), latest: make(map[string]checks.Result)}, nil
}

// Start creates the tables when they are missing (or, with
// Config.CheckOnly, checks that they exist and may be written: the error
// names what to run), writes the first heartbeat and starts the background
// writer. It fails only on the tables; a failed first write is retried by
// the writer. Start is called once.
func (s *Store) Start(ctx context.Context) error {
	var err error
	if s.cfg.CheckOnly {
		err = s.checkTables(ctx)
	} else {
		err = s.migrate(ctx)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.run || s.quit != nil {
		s.mu.Unlock()
		return errors.New("pgstore: Start called twice")
	}
	s.started = s.cfg.Clock.Now()
	s.run = true
	s.quit, s.done = make(chan struct{}), make(chan struct{})
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.mu.Unlock()
	_ = s.cycle(ctx, false)
	go s.loop(loopCtx)
	return nil
}

// Stop stops the writer and writes what waits (with a last heartbeat that
// shows this replica gone), within ctx: it returns ctx's error, and drops
// what it could not write, when ctx ends first. Stop without Start, or a
// second Stop, does nothing.
func (s *Store) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.run {
		s.mu.Unlock()
		return nil
	}
	s.run, s.stopped = false, true
	s.mu.Unlock()
	close(s.quit)
	select {
	case <-s.done:
	case <-ctx.Done():
		s.cancel() // the cycle in flight gives up its connection
		<-s.done
	}
	defer s.cancel()
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.flush(ctx)
}

// Dropped returns how many events (minute buckets and transitions) were
// dropped because the buffer was full while the database could not be
// written.
func (s *Store) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Flush writes what waits now, in one round trip, and returns the
// database's error if it failed (the events then wait for the next
// write). The writer calls it every Config.Interval; call it to make a
// record visible at once (tests, before a planned restart).
func (s *Store) Flush(ctx context.Context) error { return s.flush(ctx) }

// loop is the background writer.
func (s *Store) loop(ctx context.Context) {
	defer close(s.done)
	for {
		t := s.cfg.Clock.NewTimer(s.cfg.Interval)
		select {
		case <-s.quit:
			t.Stop()
			return
		case <-t.C():
		}
		_ = s.cycle(ctx, true)
	}
}

// cycleTimeout bounds one cycle's database work.
func (s *Store) cycleTimeout() time.Duration { return min(s.cfg.Interval, 10*time.Second) }

// cycle writes what waits and, when due, runs the maintenance; with
// standBack it skips both while the pool is saturated.
func (s *Store) cycle(parent context.Context, standBack bool) error {
	ctx, cancel := context.WithTimeout(parent, s.cycleTimeout())
	defer cancel()
	s.io.Lock()
	saturated := s.saturatedLocked()
	s.io.Unlock()
	if standBack && saturated {
		return nil
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	s.io.Lock()
	due := s.lastMaint.IsZero() || now.Sub(s.lastMaint) >= s.cfg.MaintenanceInterval
	s.io.Unlock()
	if due {
		return s.maintain(ctx)
	}
	return nil
}

// saturatedLocked reports whether the application's pool has no
// connection to spare: all but one acquired, or acquires that had to wait
// on an empty pool since the last cycle while none is idle.
func (s *Store) saturatedLocked() bool {
	st := s.pool.Stat()
	waits := st.EmptyAcquireCount()
	grew := waits > s.lastWaits
	s.lastWaits = waits
	limit := max(st.MaxConns()-1, 1)
	return st.AcquiredConns() >= limit || grew && st.IdleConns() == 0 && st.TotalConns() >= st.MaxConns()
}
