package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/fx"
)

// DefaultAddr is the port probes and the deploy kit expect.
const DefaultAddr = ":8788"

// NewRegistry is the service's own metrics registry (never the global one),
// with the Go and process collectors.
func NewRegistry() (*prometheus.Registry, prometheus.Registerer) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, reg
}

// Listen appends the HTTP server's hooks for handler (the app's Echo).
// Call it from the Echo's constructor: that runs before healthfx.Module's
// constructor (which needs the Echo), so the server starts before the
// startup gate and stops after the drain. checkTimeout is the health
// checks' timeout (healthfx.Config.Timeout): the slowest route waits up to
// it, so the server's WriteTimeout follows it (see serverLimits).
func Listen(lc fx.Lifecycle, handler http.Handler, logger *slog.Logger, checkTimeout time.Duration) error {
	return listen(lc, handler, logger, serverLimits(checkTimeout))
}

// listen is Listen with the limits l.
func listen(lc fx.Lifecycle, handler http.Handler, logger *slog.Logger, l limits) error {
	addr := os.Getenv("HTTP_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return errors.New(`HTTP_ADDR: want host:port or :port, e.g. ":8788"`)
	}
	srv := newServer(addr, handler, logger, l)
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			logger.Info("serving", "addr", ln.Addr().String())
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					logger.Error("server stopped", "error", err)
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			logger.Info("HTTP server shutting down")
			return srv.Shutdown(ctx)
		},
	})
	return nil
}

// Greeting is the business route, for any router: it asks the database
// for the time.
func Greeting(pool *pgxpool.Pool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var now time.Time
		w.Header().Set("Content-Type", "application/json")
		if err := pool.QueryRow(ctx, "SELECT now()").Scan(&now); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "error": "database unavailable"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "hello", "database_time": now.UTC().Format(time.RFC3339)})
	}
}
