package alerting_test

import (
	"context"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// BenchmarkEventCost is the cost an event adds to the execution that
// makes it (the runner's hook: evaluation, an ID, one push per sink), with
// four sinks whose publishers return at once: executions of a check whose
// every result is an event, with and without a dispatcher, interleaved in
// blocks of 64 in one run.
func BenchmarkEventCost(b *testing.B) {
	base := checks.NewRunner()
	defer base.Close()
	flipping(b, base, "database")
	with := checks.NewRunner()
	defer with.Close()
	flipping(b, with, "database")
	nop := alerting.PublisherFunc(func(context.Context, alerting.Event) error { return nil })
	var opts []alerting.Option
	for _, n := range []string{"a", "b", "c", "d"} {
		opts = append(opts, alerting.WithSink(alerting.Sink{Name: n, Publisher: nop}))
	}
	d, err := alerting.New(with, opts...)
	if err != nil {
		b.Fatal(err)
	}
	d.Start()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	}()
	ctx := context.Background()
	var tBase, tWith time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += 64 {
		n := min(64, b.N-done)
		t0 := time.Now()
		for range n {
			_, _ = base.Refresh(ctx, "database")
		}
		t1 := time.Now()
		for range n {
			_, _ = with.Refresh(ctx, "database")
		}
		tWith += time.Since(t1)
		tBase += t1.Sub(t0)
	}
	b.ReportMetric(float64(tBase.Nanoseconds())/float64(b.N), "ns/exec-no-dispatcher")
	b.ReportMetric(float64(tWith.Nanoseconds())/float64(b.N), "ns/exec-4-sinks")
	b.ReportMetric(float64(tWith-tBase)/float64(b.N), "ns/event")
}
