package alerting_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// BenchmarkProbeWithBadSinks measures a check's execution (Refresh, which
// runs the hooks, hence the alert evaluation and queueing), with a check
// flipping between unhealthy and healthy so that every execution is an
// event: without a dispatcher (baseline), and with a dispatcher whose
// webhooks hang, drip or answer 500. The three run interleaved in blocks
// of 64 in one benchmark, and it reports each one's ns per execution, the
// ratios to the baseline, and the heap in use and goroutines at the end.
// The cached probe read (Runner.Latest) runs no hook at all.
func BenchmarkProbeWithBadSinks(b *testing.B) {
	b.Run("exec", func(b *testing.B) { benchBadSinks(b, false) })
	b.Run("probe-read", func(b *testing.B) { benchBadSinks(b, true) })
}

func benchBadSinks(b *testing.B, probe bool) {
	base := checks.NewRunner()
	defer base.Close()
	flipping(b, base, "database")

	bad := checks.NewRunner()
	defer bad.Close()
	flipping(b, bad, "database")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var opts []alerting.Option
	for name, url := range map[string]string{
		"hanging": hangingServer(b).URL, "dripping": drippingServer(b).URL, "failing": failingServer(b).URL,
	} {
		s, err := alerting.Webhook(name, url, alerting.WebhookConfig{Timeout: 100 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, alerting.WithSink(s))
	}
	am, err := alerting.Alertmanager(hangingServer(b).URL, alerting.AlertmanagerConfig{Timeout: 100 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	opts = append(opts, alerting.WithSink(am), alerting.WithLogger(discardLogger()))
	d, err := alerting.New(bad, append(opts, noFolding)...)
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
	if probe {
		probeReads(b, base, bad)
		return
	}
	b.ResetTimer()
	tBase, tBad := interleaved(b, 64,
		func() { _, _ = base.Refresh(ctx, "database") },
		func() { _, _ = bad.Refresh(ctx, "database") })
	b.StopTimer()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(tBase.Nanoseconds())/float64(b.N), "ns/exec-no-sink")
	b.ReportMetric(float64(tBad.Nanoseconds())/float64(b.N), "ns/exec-bad-sinks")
	b.ReportMetric(float64(tBad)/float64(tBase), "bad/no-sink")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "MiB-heap-no-sink")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MiB-heap")
	b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
}

// probeReads measures the probes' read (Runner.Latest) of both runners,
// interleaved in blocks of 1024, after 1,000 events filled the bad sinks'
// queues and while a goroutine keeps producing events on both (one
// execution of each per 10 ms: an outage a hundred times a second).
func probeReads(b *testing.B, base, bad *checks.Runner) {
	ctx := context.Background()
	for range 1000 {
		_, _ = bad.Refresh(ctx, "database")
	}
	stopLoad := make(chan struct{})
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		for {
			select {
			case <-stopLoad:
				return
			case <-time.After(10 * time.Millisecond):
				_, _ = base.Refresh(ctx, "database")
				_, _ = bad.Refresh(ctx, "database")
			}
		}
	}()
	b.ResetTimer()
	tBase, tBad := interleaved(b, 1024,
		func() { _ = base.Latest(ctx, checks.LevelBasic) },
		func() { _ = bad.Latest(ctx, checks.LevelBasic) })
	b.StopTimer()
	close(stopLoad)
	<-loadDone
	b.ReportMetric(float64(tBase.Nanoseconds())/float64(b.N), "ns/probe-no-sink")
	b.ReportMetric(float64(tBad.Nanoseconds())/float64(b.N), "ns/probe-bad-sinks")
	b.ReportMetric(float64(tBad)/float64(tBase), "bad/no-sink")
}

// interleaved runs x and y b.N times each, alternating in blocks, and
// returns the time each took.
func interleaved(b *testing.B, block int, x, y func()) (tx, ty time.Duration) {
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		t0 := time.Now()
		for range n {
			x()
		}
		t1 := time.Now()
		for range n {
			y()
		}
		ty += time.Since(t1)
		tx += t1.Sub(t0)
	}
	return tx, ty
}

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
	d, err := alerting.New(with, append(opts, noFolding)...)
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
	b.ResetTimer()
	tBase, tWith := interleaved(b, 64,
		func() { _, _ = base.Refresh(ctx, "database") },
		func() { _, _ = with.Refresh(ctx, "database") })
	b.ReportMetric(float64(tBase.Nanoseconds())/float64(b.N), "ns/exec-no-dispatcher")
	b.ReportMetric(float64(tWith.Nanoseconds())/float64(b.N), "ns/exec-4-sinks")
	b.ReportMetric(float64(tWith-tBase)/float64(b.N), "ns/event")
}
