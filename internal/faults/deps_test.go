package faults_test

// Every call into a constructor of the library is in this file, so that a
// change of their shapes touches it alone.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/downstream"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/checks/redischeck"
	"github.com/echofx/healthcheck/checks/sqlcheck"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"github.com/echofx/healthcheck/lifecycle"
)

var quiet = slog.New(slog.DiscardHandler)

// dependencies are the columns of the matrix, in the table's order.
func dependencies() []*dependency {
	down := &dependency{name: "downstream", short: "latency"} // cut set by its start
	jwks := &dependency{name: "JWKS", short: "timeout", cut: 200, keysCached: true}
	down.start, jwks.start = startDownstream(down), startJWKS(jwks)
	return []*dependency{
		{name: "PostgreSQL", short: "timeout", cut: 40, start: startPostgres},
		{name: "MariaDB", short: "reset_peer", cut: 5, start: startMariaDB},
		{name: "Redis", short: "limit_data", cut: 8, start: startRedis},
		down,
		{name: "Alertmanager", short: "slow_close", cut: 30, start: startAlertmanager},
		{name: "webhook", short: "bandwidth", cut: 20, start: startWebhook},
		jwks,
	}
}

// PostgreSQL: pgcheck on the application's pgxpool (at most 2
// connections, connect timeout = the check timeout).
func startPostgres(t *testing.T) (string, func(*testing.T, string) *subject) {
	pg := testutil.StartPostgres(t)
	return pg.Addr(), func(t *testing.T, addr string) *subject {
		cfg, err := pgxpool.ParseConfig(pg.DSN())
		if err != nil {
			t.Fatal(err)
		}
		host, port := splitAddr(t, addr)
		cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(port)
		cfg.ConnConfig.ConnectTimeout = checkTimeout
		cfg.MaxConns = 2
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := checkSubject(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{})), pool.Close)
		s.connLimit = 2
		s.poolAtRest = func() bool {
			st := pool.Stat()
			return st.AcquiredConns() == 0 && st.TotalConns() <= 2 && st.ConstructingConns() == 0
		}
		return s
	}
}

// MariaDB: sqlcheck on the application's *sql.DB with go-sql-driver/mysql
// (at most 2 connections, dial timeout = the check timeout).
func startMariaDB(t *testing.T) (string, func(*testing.T, string) *subject) {
	m := testutil.StartMariaDB(t)
	_ = mysql.SetLogger(log.New(io.Discard, "", 0)) // the driver logs cut connections to stderr
	return m.Addr(), func(t *testing.T, addr string) *subject {
		cfg, err := mysql.ParseDSN(m.DSN())
		if err != nil {
			t.Fatal(err)
		}
		cfg.Addr, cfg.Timeout = addr, checkTimeout
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(2)
		s := checkSubject(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{})), func() { _ = db.Close() })
		s.connLimit = 2
		s.poolAtRest = func() bool {
			st := db.Stats()
			return st.InUse == 0 && st.OpenConnections <= 2
		}
		return s
	}
}

// Redis: redischeck (a connection of its own per probe).
func startRedis(t *testing.T) (string, func(*testing.T, string) *subject) {
	r := testutil.StartRedis(t)
	return r.Addr(), func(t *testing.T, addr string) *subject {
		return checkSubject(t, checktest.Must(redischeck.New(addr, redischeck.Config{Password: r.Password()})), func() {})
	}
}

// downstream: checks/downstream against an httptest server running
// httphealth over a healthy runner of its own. cut falls in the middle of
// the answer's body.
func startDownstream(d *dependency) func(t *testing.T) (string, func(*testing.T, string) *subject) {
	return func(t *testing.T) (string, func(*testing.T, string) *subject) {
		up := checks.NewRunner()
		if err := up.Register(checks.Check{Name: "db", Func: checks.FromFunc(func(context.Context) error { return nil })}); err != nil {
			t.Fatal(err)
		}
		h, err := httphealth.New(up)
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		if err := h.Mount(mux); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(func() { srv.Close(); up.Close() })
		d.cut = answerMidway(t, srv.Listener.Addr().String(), "/healthcheck/")
		return srv.Listener.Addr().String(), func(t *testing.T, addr string) *subject {
			c, err := downstream.New("http://"+addr+"/healthcheck/", downstream.Config{Name: "orders", Origin: "faults"})
			if err != nil {
				t.Fatal(err)
			}
			return checkSubject(t, c, func() {})
		}
	}
}

// checkSubject runs c (with the matrix's timings) on a runner and a
// lifecycle's periodic runner; the probe is the runner's probe read.
func checkSubject(t *testing.T, c checks.Check, closeApp func()) *subject {
	t.Helper()
	c.Timeout, c.Interval, c.TTL = checkTimeout, interval, ttl
	started := make(chan struct{}, 1)
	inner := c.Func
	c.Func = func(ctx context.Context) checks.Report {
		signal(started)
		return inner(ctx)
	}
	var results atomic.Uint64
	notify := make(chan struct{}, 1)
	runner := checks.NewRunner(checks.WithHooks(checks.Hooks{OnResult: func(checks.Result) {
		results.Add(1)
		signal(notify)
	}}))
	if err := runner.Register(c); err != nil {
		t.Fatal(err)
	}
	// The startup gate retries every interval (a dependency under a fault
	// at start).
	lc, err := lifecycle.New(runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(quiet),
		lifecycle.WithStartup(lifecycle.StartupConfig{InitialBackoff: interval, MaxBackoff: interval}))
	if err != nil {
		t.Fatal(err)
	}
	if err := lc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	name := c.Name
	return &subject{
		status: func() checks.Status {
			r, _ := runner.Snapshot().Result(name)
			return r.Status
		},
		results:     results.Load,
		notify:      notify,
		started:     started,
		probe:       func(ctx context.Context) { runner.Latest(ctx, checks.LevelComprehensive) },
		probeBudget: checks.DefaultProbeBudget,
		stop: func(ctx context.Context) error {
			err := lc.Stop(ctx)
			runner.Close()
			return err
		},
		stopBudget:  checkTimeout,
		startBudget: checkTimeout + slack, // Start returns after the gate's first attempt
		closeApp:    closeApp,
	}
}

// Alertmanager: the alerting dispatcher's Alertmanager sink.
func startAlertmanager(t *testing.T) (string, func(*testing.T, string) *subject) {
	am := testutil.StartAlertmanager(t)
	u, err := url.Parse(am.URL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Host, func(t *testing.T, addr string) *subject {
		sink, err := alerting.Alertmanager("http://"+addr, alerting.AlertmanagerConfig{Timeout: checkTimeout})
		if err != nil {
			t.Fatal(err)
		}
		return sinkSubject(t, sink)
	}
}

// webhook: the alerting dispatcher's webhook sink posting to a receiver
// that answers 204.
func startWebhook(t *testing.T) (string, func(*testing.T, string) *subject) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), func(t *testing.T, addr string) *subject {
		sink, err := alerting.Webhook("receiver", "http://"+addr+"/hook", alerting.WebhookConfig{Timeout: checkTimeout})
		if err != nil {
			t.Fatal(err)
		}
		return sinkSubject(t, sink)
	}
}

// sinkSubject delivers the events of a check that flaps at every run (so
// that every interval has an event) through sink. The sink's status is its
// last delivery attempt's outcome; the probe is the runner's probe read
// (which a slow sink must not hold).
func sinkSubject(t *testing.T, sink alerting.Sink) *subject {
	t.Helper()
	var flip atomic.Uint64
	runner := checks.NewRunner()
	if err := runner.Register(checks.Check{Name: "flapping", Criticality: checks.Optional,
		Timeout: checkTimeout, Interval: interval, TTL: ttl,
		Func: checks.FromFunc(func(context.Context) error {
			if flip.Add(1)%2 == 0 {
				return errors.New("flap")
			}
			return nil
		})}); err != nil {
		t.Fatal(err)
	}
	rec := &recordingPublisher{inner: sink.Publisher, notify: make(chan struct{}, 1), started: make(chan struct{}, 1)}
	sink.Publisher = rec
	disp, err := alerting.New(runner, alerting.WithSink(sink),
		alerting.WithLogger(quiet), alerting.WithService("faults"), alerting.WithInstance("faults"),
		alerting.WithFlapping(checks.Off, 0)) // an event at every run, not one CheckFlapping
	if err != nil {
		t.Fatal(err)
	}
	lc, err := lifecycle.New(runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	disp.Start()
	if err := lc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	const stopCtx = 300 * time.Millisecond
	return &subject{
		status:      rec.status,
		results:     rec.attempts.Load,
		notify:      rec.notify,
		started:     rec.started,
		probe:       func(ctx context.Context) { runner.Latest(ctx, checks.LevelComprehensive) },
		probeBudget: checks.DefaultProbeBudget,
		stop: func(ctx context.Context) error {
			sctx, cancel := context.WithTimeout(ctx, stopCtx)
			defer cancel()
			err := disp.Stop(sctx)
			return errors.Join(err, lc.Stop(ctx), closeRunner(runner))
		},
		// The dispatcher's own bound: its context, then its grace
		// (alerting's StopGrace, 100 ms), plus 100 ms.
		stopBudget:  stopCtx + 200*time.Millisecond,
		startBudget: checkTimeout + slack,
		closeApp:    func() {},
	}
}

func closeRunner(r *checks.Runner) error { r.Close(); return nil }

// recordingPublisher wraps a sink's publisher to see each attempt.
type recordingPublisher struct {
	inner           alerting.Publisher
	attempts        atomic.Uint64
	failing         atomic.Bool
	notify, started chan struct{}
}

func (p *recordingPublisher) Publish(ctx context.Context, e alerting.Event) error {
	signal(p.started)
	err := p.inner.Publish(ctx, e)
	p.failing.Store(err != nil)
	p.attempts.Add(1)
	signal(p.notify)
	return err
}

func (p *recordingPublisher) Close() error {
	if c, ok := p.inner.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (p *recordingPublisher) status() checks.Status {
	switch {
	case p.attempts.Load() == 0:
		return checks.StatusUnknown
	case p.failing.Load():
		return checks.StatusUnhealthy
	}
	return checks.StatusHealthy
}

// JWKS: healthfx's key set (HEALTH_JWT_JWKS_URL) against a JWKS server.
// The status is whether the detailed route accepts a token of the
// published key; right after a fault is added, a token naming an unknown
// kid makes the key set fetch (through the fault) and must be answered
// within the key wait.
func startJWKS(d *dependency) func(t *testing.T) (string, func(*testing.T, string) *subject) {
	return func(t *testing.T) (string, func(*testing.T, string) *subject) {
		keys, err := testutil.GenerateKeys()
		if err != nil {
			t.Fatal(err)
		}
		pub := keys.RSA.PublicKey
		b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
		body, err := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		claims := testutil.ValidClaims("https://idp.test", "health", time.Hour)
		mint := func(kid string) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
			tok.Header["kid"] = kid
			s, err := tok.SignedString(keys.RSA)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		known, unknown := mint("k1"), mint("k2")
		return srv.Listener.Addr().String(), func(t *testing.T, addr string) *subject {
			for k, v := range map[string]string{
				"HEALTH_DRAIN_DELAY": "0", "HEALTH_CHECK_TIMEOUT": "1s", "HEALTH_CHECK_CACHE_TTL": "50ms",
				"HEALTH_CHECK_INTERVAL": "200ms", "HEALTH_STARTUP_MAX_WAIT": "10s", "HEALTH_CHECK_DETAILED": "true",
				"HEALTH_JWT_JWKS_URL": "http://" + addr + "/jwks", "HEALTH_JWT_ALGORITHMS": "RS256",
				"HEALTH_JWT_ISSUER": "https://idp.test", "HEALTH_JWT_AUDIENCE": "health",
			} {
				t.Setenv(k, v)
			}
			fetchLog := &fetchFailures{notify: make(chan struct{}, 1)}
			var e *echo.Echo
			app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(slog.New(fetchLog)),
				healthfx.SupplyCheck(checks.Check{Name: "db", Func: checks.FromFunc(func(context.Context) error { return nil })}),
				healthfx.Module, fx.Populate(&e))
			if err := app.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			var answers atomic.Uint64
			notify := make(chan struct{}, 1)
			get := func(ctx context.Context, tok string) int {
				req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/healthcheck/detailed", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				return rec.Code
			}
			return &subject{
				// The status is read with a request of its own (in-process,
				// as the probe): before the prober starts too.
				status: func() checks.Status {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					if get(ctx, known) == http.StatusOK {
						return checks.StatusHealthy
					}
					return checks.StatusUnhealthy
				},
				results: answers.Load,
				notify:  notify,
				// At start, the first fetch under the fault has either
				// failed (logged) or brought the keys.
				startFault: func() bool {
					if fetchLog.n.Load() > 0 {
						return true
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					return get(ctx, known) == http.StatusOK
				},
				startFaultBudget: 12 * time.Second, // healthfx bounds a fetch by 10 s
				// After a failed fetch healthfx fetches again within 1 s
				// (its first backoff, jittered): two such waits.
				recoveryBudget: 2 * time.Second,
				probe: func(ctx context.Context) {
					get(ctx, known)
					answers.Add(1)
					signal(notify)
				},
				// The key wait, plus the answer's own work (with the
				// matrix's scheduling slack).
				probeBudget: httphealth.DefaultKeyWait + slack,
				faultProbe: func(ctx context.Context) {
					if code := get(ctx, unknown); code != http.StatusUnauthorized {
						t.Errorf("JWKS: unknown kid answered %d, want 401", code)
					}
				},
				stop:        app.Stop,
				stopBudget:  time.Second,
				startBudget: time.Second, // the key set is fetched in the background
				closeApp:    func() {},
				settle:      10 * time.Second, // a background fetch is bounded by 10 s
			}
		}
	}
}

// answerMidway returns a byte count that cuts the answer to GET path at
// addr in the middle of its body.
func answerMidway(t *testing.T, addr, path string) int64 {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(all)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return int64(len(all) - len(body)/2)
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

// fetchFailures is a slog handler counting healthfx's "JWKS fetch failed"
// and "JWKS client failed" records.
type fetchFailures struct {
	n      atomic.Int64
	notify chan struct{}
}

func (h *fetchFailures) Enabled(context.Context, slog.Level) bool { return true }

func (h *fetchFailures) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "JWKS fetch failed" || r.Message == "JWKS client failed" {
		h.n.Add(1)
		signal(h.notify)
	}
	return nil
}

func (h *fetchFailures) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *fetchFailures) WithGroup(string) slog.Handler      { return h }
