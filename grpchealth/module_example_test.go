package grpchealth_test

import (
	"context"
	"fmt"
	"net/http"

	"go.uber.org/fx"
	"google.golang.org/grpc"

	"github.com/echofx/healthcheck/grpchealth"
	"github.com/echofx/healthcheck/healthfx"
)

// One option serves grpc.health.v1.Health on the app's own *grpc.Server
// (served and stopped by the app's hooks, omitted here).
func ExampleModule() {
	var gs *grpc.Server
	app := fx.New(
		fx.NopLogger,
		fx.Provide(func() *grpc.Server { return grpc.NewServer() }),
		fx.Provide(func() healthfx.Router { return healthfx.OnServeMux(http.NewServeMux()) }),
		healthfx.Module,
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { c.DrainDelay = 0; return c }), // an example: no drain
		grpchealth.Module,
		fx.Populate(&gs),
	)
	if err := app.Err(); err != nil {
		fmt.Println(err)
		return
	}
	for name := range gs.GetServiceInfo() {
		fmt.Println(name)
	}
	_ = app.Start(context.Background())
	_ = app.Stop(context.Background())
	// Output: grpc.health.v1.Health
}
