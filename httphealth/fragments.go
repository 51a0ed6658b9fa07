package httphealth

import (
	"encoding/json"
	"github.com/echofx/healthcheck/internal/checkview"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// fragCache keeps each check's encoded detailed fragment until its result
// or its trend windows change, so that a detailed response of many checks
// costs little more than copying bytes. Slots follow the snapshot's
// indexes (results sorted by name); a slot whose entry names another check
// is re-encoded.
type fragCache struct {
	mu    sync.Mutex // guards growing slots
	slots atomic.Pointer[[]*atomic.Pointer[frag]]
}

// frag is one check's encoded fragment and what it was encoded from.
type frag struct {
	name    string
	runs    uint64 // Result.Runs: tells two results apart at one clock reading
	time    time.Time
	status  checks.Status
	message string
	b       []byte // `{"status":..,…` (no closing brace)
	// trends is `,"trends":{"short":..,"long":..` (no closing brace) as of
	// short and long; nil until asked for.
	trends      []byte
	short, long checks.WindowStats
}

func (c *fragCache) slot(i, n int) *atomic.Pointer[frag] {
	if s := c.slots.Load(); s != nil && i < len(*s) {
		return (*s)[i]
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.slots.Load()
	var cur []*atomic.Pointer[frag]
	if s != nil {
		cur = *s
	}
	if i < len(cur) {
		return cur[i]
	}
	grown := append(make([]*atomic.Pointer[frag], 0, max(n, i+1)), cur...)
	for len(grown) < cap(grown) {
		grown = append(grown, new(atomic.Pointer[frag]))
	}
	c.slots.Store(&grown)
	return grown[i]
}

// appendCheck appends the fragment of snap.Results[i], encoding it only
// when the result changed; with trends, also the trend windows as of now,
// encoded only when they changed. The fragment is left open: the caller
// closes the trends object (when asked for) and the check.
func (c *fragCache) appendCheck(b []byte, snap *checks.Snapshot, i int, now time.Time, trends bool) []byte {
	r := &snap.Results[i]
	slot := c.slot(i, len(snap.Results))
	f := slot.Load()
	if f == nil || f.name != r.Name || f.runs != r.Runs || !f.time.Equal(r.Time) || f.status != r.Status || f.message != r.Message {
		f = &frag{name: r.Name, runs: r.Runs, time: r.Time, status: r.Status, message: r.Message,
			b: encodeCheck(nil, r, checkview.IsDownstream(snap, i))}
		slot.Store(f)
	}
	b = append(b, f.b...)
	if !trends {
		return b
	}
	var short, long checks.WindowStats
	if !checkview.TrendWindows(snap, i, now, &short, &long) {
		return append(b, `,"trends":{`...)
	}
	if f.trends == nil || f.short != short || f.long != long {
		g := *f
		g.short, g.long = short, long
		g.trends = appendWindow(append(appendWindow(append([]byte(nil), `,"trends":{"short":`...), &short), `,"long":`...), &long)
		slot.Store(&g)
		f = &g
	}
	return append(b, f.trends...)
}

// encodeCheck encodes one check of the detailed format, without its
// closing brace (trends and history may follow).
func encodeCheck(b []byte, r *checks.Result, downstream bool) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, r.Status.String())
	b = append(b, `,"response_time_ms":`...)
	b = appendMillis(b, r.Duration)
	if len(r.Details) > 0 {
		b = append(b, `,"details":`...)
		if d, err := json.Marshal(r.Details); err == nil {
			b = append(b, d...)
		} else { // a NaN, a func: say so rather than drop them silently
			b = append(b, `{"error":"details not encodable"}`...)
		}
	}
	if r.Message != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, r.Message)
	}
	if !r.LastSuccess.IsZero() {
		b = append(b, `,"last_success":`...)
		b = appendTime(b, r.LastSuccess, time.RFC3339Nano)
	}
	b = append(b, `,"consecutive_failures":`...)
	b = strconv.AppendInt(b, int64(r.ConsecutiveFailures), 10)
	b = append(b, `,"availability":`...)
	b = appendRatio(b, r.Availability)
	if downstream {
		b = append(b, `,"downstream":true`...)
	}
	return b
}

// appendRatio appends f rounded to 4 decimals (0.6667, not 0.6666666666666666).
func appendRatio(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, math.Round(f*1e4)/1e4, 'f', -1, 64)
}

// appendWindow encodes one trend window.
func appendWindow(b []byte, w *checks.WindowStats) []byte {
	b = append(b, `{"window":`...)
	b = appendString(b, compactDuration(w.Window))
	b = append(b, `,"runs":`...)
	b = strconv.AppendUint(b, w.Runs, 10)
	b = append(b, `,"failures":`...)
	b = strconv.AppendUint(b, w.Failures, 10)
	b = append(b, `,"success_rate":`...)
	b = appendRatio(b, w.SuccessRate)
	b = append(b, `,"p50_ms":`...)
	b = appendMillis(b, w.P50)
	b = append(b, `,"p95_ms":`...)
	b = appendMillis(b, w.P95)
	b = append(b, `,"mean_ms":`...)
	b = appendMillis(b, w.Mean)
	return append(b, '}')
}

// compactDuration writes whole hours as "24h" and whole minutes as "30m".
func compactDuration(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// trendsPool holds the Trends read by trends=1 requests.
var trendsPool = sync.Pool{New: func() any { return new(checks.Trends) }}

// appendTrendSeries encodes ,"series":[..],"transitions":[..] of one
// check (series=1), inside its trends object: the data of a sparkline
// and a timeline.
func (h *Handlers) appendTrendSeries(b []byte, snap *checks.Snapshot, i int, now time.Time, compact bool) []byte {
	t := trendsPool.Get().(*checks.Trends)
	defer trendsPool.Put(t)
	checkview.ReadTrends(snap, i, now, t)
	b = append(b, `,"series":[`...)
	for j := range t.Series {
		p := &t.Series[j]
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"start":`...)
		b = appendTime(b, p.Start, time.RFC3339)
		b = append(b, `,"runs":`...)
		b = strconv.AppendUint(b, uint64(p.Runs), 10)
		b = append(b, `,"failures":`...)
		b = strconv.AppendUint(b, uint64(p.Failures), 10)
		b = append(b, `,"mean_ms":`...)
		b = appendMillis(b, p.Mean)
		b = append(b, '}')
	}
	b = append(b, `],"transitions":[`...)
	from := 0
	if compact {
		from = max(0, len(t.Transitions)-compactTransitions)
	}
	for j := from; j < len(t.Transitions); j++ {
		tr := &t.Transitions[j]
		if j > from {
			b = append(b, ',')
		}
		b = append(b, `{"from":`...)
		b = appendString(b, tr.From.String())
		b = append(b, `,"to":`...)
		b = appendString(b, tr.To.String())
		b = append(b, `,"time":`...)
		b = appendTime(b, tr.At, time.RFC3339Nano)
		if tr.Message != "" {
			b = append(b, `,"message":`...)
			b = appendString(b, tr.Message)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// compactTransitions is how many transitions (the newest) a check keeps
// in an answer made compact by the query compact=N.
//
// compact=N (N >= 0) sizes the detailed answer for a page of many checks:
// when it holds more than N checks, each healthy check that is not a
// downstream one is sent compact, as
// {"status":"healthy","response_time_ms":..,"compact":true} plus, with
// trends=1, its short trend window ("trends":{"short":..}: no long
// window, series or transitions), without details, counters or history;
// every other check is sent as asked, except that with series=1 its
// history is left out while the runner keeps trends (the series is its
// sparkline) and its transitions are the newest compactTransitions. Without compact (or with at most N checks) nothing
// changes. The status page asks compact=24: at 1,000 checks a refresh
// stays under 1 MB.
const compactTransitions = 10

// appendCompactCheck encodes snap.Results[i] in the compact form
// (compact=N), closed.
func appendCompactCheck(b []byte, snap *checks.Snapshot, i int, now time.Time, trends bool) []byte {
	r := &snap.Results[i]
	b = append(b, `{"status":`...)
	b = appendString(b, r.Status.String())
	b = append(b, `,"response_time_ms":`...)
	b = appendMillis(b, r.Duration)
	b = append(b, `,"compact":true`...)
	if trends {
		var short, long checks.WindowStats
		b = append(b, `,"trends":{`...)
		if checkview.TrendWindows(snap, i, now, &short, &long) {
			b = appendWindow(append(b, `"short":`...), &short)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}
