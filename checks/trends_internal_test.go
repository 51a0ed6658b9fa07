package checks

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

func TestTransitionSize(t *testing.T) {
	if s := unsafe.Sizeof(Transition{}); s > 80 {
		t.Errorf("Transition is %d bytes; the doc of trends says at most 80", s)
	}
}

// BenchmarkRecord records one result per op through the runner's record
// path, with trends off (baseline) and on (trends). The difference of
// ns/op is what trends add to recording a result.
func BenchmarkRecord(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []Option
	}{
		{"baseline", []Option{WithTrendWindows(0, 0)}},
		{"trends", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := NewRunner(bc.opts...)
			defer r.Close()
			if err := r.Register(Check{Name: "c", Func: func(context.Context) Report { return Report{} }}); err != nil {
				b.Fatal(err)
			}
			st, _ := r.state("c")
			b.ReportAllocs()
			for b.Loop() {
				r.record(st, Report{}, 1500*time.Microsecond, false)
			}
		})
	}
}

// BenchmarkTrendsAdd is the part of BenchmarkRecord/trends that trends
// add: one execution recorded in both windows, the clock moving 1 s per
// op (a short bucket boundary every 60 ops, a long one every 1800).
func BenchmarkTrendsAdd(b *testing.B) {
	var t trends
	t.init(&config{})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		t.add(now, 1500*time.Microsecond, false, nil)
	}
}
