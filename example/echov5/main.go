// Command echov5 is the example service on Echo v5: the same service as
// the Echo v4 example (package example: embedded PostgreSQL when
// DATABASE_URL is unset, HTTP_ADDR or :8788, the probe subcommand), with
// the Echo v5 router. healthfx.Module finds the Echo v5 *echo.Echo and
// registers the health routes through echov5health.
//
//	go run ./example/echov5              run the service
//	go run ./example/echov5 probe [URL]  probe it
package main

import (
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v5"
	"go.uber.org/fx"

	svc "github.com/echofx/healthcheck/example/internal/service"
	"github.com/echofx/healthcheck/healthfx"
)

func main() {
	os.Exit(svc.Main(os.Args, os.Stdout, os.Stderr, fx.Provide(newEcho)))
}

// newEcho builds the Echo v5 with the business route (healthfx serves
// /metrics and the health routes on it), and
// starts serving it (svc.Listen, whose write timeout follows the check
// timeout); healthfx.Module adds the health routes to it.
func newEcho(lc fx.Lifecycle, pool *pgxpool.Pool, logger *slog.Logger, health *healthfx.Config) (*echo.Echo, error) {
	e := echo.New()
	e.GET("/api/greeting", echo.WrapHandler(svc.Greeting(pool)))
	return e, svc.Listen(lc, e, logger, health.Timeout)
}
