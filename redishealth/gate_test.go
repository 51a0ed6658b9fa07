package redishealth_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"github.com/echofx/healthcheck/lifecycle"
	"github.com/echofx/healthcheck/redishealth"
)

// The startup gate, and so the ready hooks, wait for the Redis check only
// when Config.Required or Config.Startup says so: with Redis down, the
// default (Optional) lets the gate pass and the ready hook run; Required
// and Startup hold the gate, which gives up, and the hook never runs.
func TestRequiredAndStartupHoldTheGate(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: checktest.ClosedAddr(t), MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { client.Close() })
	tests := []struct {
		name  string
		cfg   redishealth.Config
		crit  checks.Criticality
		holds bool
	}{
		{"default", redishealth.Config{}, checks.Optional, false},
		{"required", redishealth.Config{Required: true}, checks.Required, true},
		{"startup", redishealth.Config{Startup: true}, checks.Optional, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(client, tt.cfg)
			if c.Criticality != tt.crit || c.Startup != tt.cfg.Startup {
				t.Fatalf("criticality %v, startup %v", c.Criticality, c.Startup)
			}
			c.Timeout = time.Second
			runner := checks.NewRunner()
			defer runner.Close()
			if err := runner.Register(c); err != nil {
				t.Fatal(err)
			}
			gaveUp := make(chan error, 1)
			lc, err := lifecycle.New(runner,
				lifecycle.WithLogger(slog.New(slog.DiscardHandler)),
				lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 1}),
				lifecycle.WithDrainDelay(0),
				lifecycle.WithOnGateFailure(func(err error) { gaveUp <- err }))
			if err != nil {
				t.Fatal(err)
			}
			hookRan := make(chan struct{})
			lc.OnReady("warm-up", func(context.Context) error { close(hookRan); return nil })
			err = lc.Start(context.Background())
			if !tt.holds {
				if err != nil {
					t.Fatalf("Start: %v", err)
				}
				<-hookRan
			} else if err == nil {
				if err := <-gaveUp; err == nil {
					t.Fatal("the gate gave up with no error")
				}
			}
			if err := lc.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
			select {
			case <-hookRan:
				if tt.holds {
					t.Fatal("the ready hook ran while Redis was down")
				}
			default:
			}
		})
	}
}
