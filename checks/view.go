package checks

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/internal/checkview"
)

// init lends the unexported readers to the HTTP layer and to package
// checks/downstream through internal/checkview (see its documentation).
func init() {
	checkview.FastPath = func(r any) (*atomic.Bool, *atomic.Int64, any) {
		rn := r.(*Runner)
		return &rn.hasDownstream, &rn.notFresh, &rn.snap
	}
	checkview.LatestDetailed = func(r any, ctx context.Context) any { return r.(*Runner).latestDetailed(ctx) }
	checkview.LatestLocal = func(r any, ctx context.Context, level uint8) any {
		return r.(*Runner).latestLocal(ctx, Level(level))
	}
	checkview.IsDownstream = func(s any, i int) bool { return s.(*Snapshot).isDownstream(i) }
	checkview.LocalStatus = func(s any, level uint8) uint8 { return uint8(s.(*Snapshot).localStatusAt(Level(level))) }
	checkview.LocalMessage = func(s any, level uint8) string { return s.(*Snapshot).localMessageAt(Level(level)) }
	checkview.TrendWindows = func(s any, i int, now time.Time, short, long any) bool {
		return s.(*Snapshot).trendWindows(i, now, short.(*WindowStats), long.(*WindowStats))
	}
	checkview.ReadTrends = func(s any, i int, now time.Time, dst any) { s.(*Snapshot).readTrends(i, now, dst.(*Trends)) }
	checkview.MarkDownstream = func(c any) any {
		ch := c.(Check)
		ch.downstream = true
		return ch
	}
}
