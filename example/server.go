package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/fx"
)

// defaultAddr is the seed spec's port.
const defaultAddr = ":8788"

// newRegistry is the service's own metrics registry (never the global one),
// with the Go and process collectors.
func newRegistry() (*prometheus.Registry, prometheus.Registerer) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, reg
}

// newEcho builds the Echo with the business routes and /metrics, and
// appends the HTTP server's hooks. It runs before healthfx.Module's
// constructor (which needs the *echo.Echo), so the server starts before the
// startup gate and stops after the drain.
func newEcho(lc fx.Lifecycle, pool *pgxpool.Pool, reg *prometheus.Registry, logger *slog.Logger) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})))
	e.GET("/api/greeting", greeting(pool))

	addr := os.Getenv("HTTP_ADDR")
	if addr == "" {
		addr = defaultAddr
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, errors.New(`HTTP_ADDR: want host:port or :port, e.g. ":8788"`)
	}
	srv := &http.Server{Addr: addr, Handler: e, ReadHeaderTimeout: 5 * time.Second}
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
	return e, nil
}

// greeting is the business route: it asks the database for the time.
func greeting(pool *pgxpool.Pool) echo.HandlerFunc {
	return func(c echo.Context) error {
		// A hung database must not hold the request (and a pool
		// connection) for ever, nor the server's shutdown.
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		var now time.Time
		if err := pool.QueryRow(ctx, "SELECT now()").Scan(&now); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "error", "error": "database unavailable"})
		}
		return c.JSON(http.StatusOK, map[string]string{"message": "hello", "database_time": now.UTC().Format(time.RFC3339)})
	}
}
