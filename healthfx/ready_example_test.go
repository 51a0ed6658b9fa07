package healthfx_test

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/lifecycle"
)

// Start work that needs the dependencies runs once the startup gate
// passed, before readiness: here the gate has no required check, so it
// passes at once, within app.Start.
func ExampleOnReady() {
	var lc *lifecycle.Lifecycle
	app := fx.New(
		fx.NopLogger,
		fx.Provide(echo.New),
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { c.Database = false; c.DrainDelay = 0; return c }),
		healthfx.Module,
		healthfx.OnReady("migrations", func(ctx context.Context) error {
			ready, reason := lc.Readiness()
			fmt.Println("migrating; ready:", ready, reason)
			return nil
		}),
		fx.Populate(&lc),
	)
	if err := app.Err(); err != nil {
		fmt.Println(err)
		return
	}
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	ready, _ := lc.Readiness()
	fmt.Println("started; ready:", ready)
	_ = app.Stop(context.Background())
	// Output:
	// migrating; ready: false starting
	// started; ready: true
}
