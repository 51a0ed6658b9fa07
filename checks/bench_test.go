package checks_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

// BenchmarkLatestCached reads the aggregate of 10 fresh checks; the baseline
// loads the same kind of value from an atomic pointer, the least any cache
// can do. Compare ns/op and allocs/op of the two.
func BenchmarkLatestCached(b *testing.B) {
	r := checks.NewRunner()
	defer r.Close()
	for i := range 10 {
		c := checks.Check{Name: fmt.Sprintf("check%02d", i), Func: healthy, TTL: 1 << 62, MaxStaleness: 1 << 62}
		if err := r.Register(c); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	r.Run(ctx)
	b.Run("runner.Latest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if latestDetailed(r, ctx).Status() != checks.StatusHealthy {
				b.Fatal("not healthy")
			}
		}
	})
	b.Run("runner.Latest", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r.Latest(ctx, checks.LevelBasic).Status() != checks.StatusHealthy {
				b.Fatal("not healthy")
			}
		}
	})
	b.Run("baseline.atomicLoad", func(b *testing.B) {
		var p atomic.Pointer[checks.Snapshot]
		p.Store(r.Snapshot())
		b.ReportAllocs()
		for b.Loop() {
			if p.Load().Status() != checks.StatusHealthy {
				b.Fatal("not healthy")
			}
		}
	})
}
