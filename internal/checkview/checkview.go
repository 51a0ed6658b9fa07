// Package checkview is the accessor hook through which package checks lends
// its unexported readers to the few packages of this module that need them
// for speed or for the downstream protocol, in the style of the standard
// library's internal hooks: checks fills the function values at init (so
// they are set before any caller can hold a Runner), and a caller passes a
// *checks.Runner, *checks.Snapshot, *checks.WindowStats, *checks.Trends or
// checks.Check as any and asserts the answer back. Passing pointers as any
// allocates nothing, so the public route stays allocation-free.
//
// It imports nothing of this module, so that checks may import it.
// internal/deprules lets only checks, checks/downstream, httphealth and
// grpchealth import it (docs/design.md, under the house table).
package checkview

import (
	"context"
	"sync/atomic"
	"time"
)

// DownstreamHeader is the request header that every request made by a
// downstream check (package checks/downstream) carries: a comma-separated
// list of the services that asked. A service answering a request that
// carries it answers from the aggregate without its own downstream checks
// (LatestLocal, LocalStatus, LocalMessage, IsDownstream) and does not pass
// the header on, so services that list each other settle.
const DownstreamHeader = "Health-Chain"

// The bucket counts of the trend windows (package checks sizes its rings
// with them): a window's edge moves by its length over its count, which
// httphealth's ETags follow.
const (
	TrendShortBuckets = 60
	TrendLongBuckets  = 48
)

// Filled by package checks at init.
var (
	// FastPath(runner) lends the runner's three atomics that the public
	// route's fast path reads, once, at httphealth.New: hasDownstream (set
	// once a downstream check is registered), notFresh (0 while every
	// result is younger than its TTL) and snap, an
	// *atomic.Pointer[checks.Snapshot] (the latest snapshot). Reading them
	// directly keeps the hot path to three inlined atomic loads, with no
	// call through this hook per request.
	FastPath func(runner any) (hasDownstream *atomic.Bool, notFresh *atomic.Int64, snap any)
	// LatestDetailed(runner, ctx) is the detailed route's read
	// (*checks.Snapshot): Runner.Latest at LevelComprehensive, but waiting,
	// up to each check's timeout and never past ctx, for every check
	// without a usable result, Optional ones included.
	LatestDetailed func(runner any, ctx context.Context) any
	// LatestLocal(runner, ctx, level) is Runner.Latest for answering a
	// request carrying DownstreamHeader (*checks.Snapshot): it neither
	// refreshes nor waits for downstream checks, so such a request never
	// makes this service send a request of its own.
	LatestLocal func(runner any, ctx context.Context, level uint8) any
	// IsDownstream(snap, i) reports whether the check of snap.Results[i]
	// is a downstream check (false when i is out of range).
	IsDownstream func(snap any, i int) bool
	// LocalStatus(snap, level) is snap.StatusAt(level) over the checks
	// that are not downstream checks, as a checks.Status. Precomputed.
	LocalStatus func(snap any, level uint8) uint8
	// LocalMessage(snap, level) is snap.MessageAt(level) over the checks
	// that are not downstream checks. Precomputed.
	LocalMessage func(snap any, level uint8) string
	// TrendWindows(snap, i, now, short, long) fills the *checks.WindowStats
	// short and long with the window statistics of the check of
	// snap.Results[i] as of now; false, with both zeroed, when i is out of
	// range or trends are off. It allocates nothing.
	TrendWindows func(snap any, i int, now time.Time, short, long any) bool
	// ReadTrends(snap, i, now, dst) fills the *checks.Trends dst with the
	// trends of the check of snap.Results[i] as of now, reusing dst's
	// slices; dst is zeroed but At when i is out of range or trends are
	// off.
	ReadTrends func(snap any, i int, now time.Time, dst any)
	// MarkDownstream(check) returns the checks.Check with its downstream
	// mark set: package checks/downstream marks its checks with it.
	MarkDownstream func(check any) any
)
