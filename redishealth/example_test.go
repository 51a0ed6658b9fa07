package redishealth_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/redishealth"
)

// Check the application's own client: its address and password never show.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{
		Addr:       "127.0.0.1:1", // nothing listens here
		Password:   "s3cret",
		MaxRetries: -1,
	})
	defer client.Close()

	runner := checks.NewRunner()
	defer runner.Close()
	c, err := redishealth.New(client, redishealth.Config{})
	if err != nil {
		panic(err)
	}
	c.Criticality = checks.Required // this service cannot work without Redis
	_ = runner.Register(c)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, _ := runner.Refresh(ctx, "redis")
	fmt.Println(res.Status, res.Message)
	fmt.Println(res.Details["total_conns"])
	// Output:
	// unhealthy connection refused
	// 0
}

// Route go-redis's own log lines to the application's logger, with the
// "failed to dial" line of an outage folded: once at start, before the
// clients are created.
func ExampleLogger() {
	logger := slog.Default() // the application's logger
	redis.SetLogger(redishealth.Logger(logger))
}
