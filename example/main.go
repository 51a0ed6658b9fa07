// Command example is a small service that shows the healthcheck module at
// work on Echo v4: an fx app with Echo on HTTP_ADDR (default :8788), a
// PostgreSQL pool (DATABASE_URL, or an embedded throwaway PostgreSQL when
// unset), /metrics, and healthfx.Module with the database check, optional
// Redis and external API checks, and one business check. The Echo v5
// version of the same service is example/echov5; both share
// example/internal/service.
//
//	go run ./example              run the service
//	go run ./example probe [URL]  exit 0 if URL (default: the service's own
//	                              HTTP_ADDR, else :8788, /healthcheck/) answers
//	                              2xx, 1 otherwise: a curl for images without a shell
package main

import (
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"go.uber.org/fx"

	svc "github.com/echofx/healthcheck/example/internal/service"
	"github.com/echofx/healthcheck/healthfx"
)

func main() {
	os.Exit(svc.Main(os.Args, os.Stdout, os.Stderr, fx.Provide(newEcho)))
}

// newEcho builds the Echo v4 with the business route (healthfx serves
// /metrics and the health routes on it), and
// starts serving it (svc.Listen, whose write timeout follows the check
// timeout); healthfx.Module adds the health routes to it.
func newEcho(lc fx.Lifecycle, pool *pgxpool.Pool, logger *slog.Logger, health *healthfx.Config) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/api/greeting", echo.WrapHandler(svc.Greeting(pool)))
	return e, svc.Listen(lc, e, logger, health.Timeout)
}
