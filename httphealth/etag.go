package httphealth

import (
	"crypto/rand"
	"encoding/binary"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/checkview"
)

// Conditional requests of the detailed routes.
//
// A detailed answer is a function of the snapshot it is read from (the
// results, and the histories recorded with them), the request's form (path,
// query, Accept, DownstreamHeader) and, with trends, the trend buckets the
// clock is in. Its ETag names exactly those: a number given to each
// snapshot the handlers answer from, a hash of the form, and the start of
// the trend buckets; so it costs a comparison of pointers and a short hash,
// never a hash of the body. The answer's "timestamp" is made of the same
// inputs (see etagEntry.first), which keeps the ETag strong: two answers
// with one ETag are the same bytes.

// etagState numbers the snapshots the detailed routes answer from.
type etagState struct {
	cur atomic.Pointer[etagEntry]
}

// etagEntry is the snapshot last answered from and its number.
type etagEntry struct {
	snap *checks.Snapshot
	seq  uint64
	// nonce is drawn once per Handlers: an ETag of another process, or of
	// other Handlers, never matches.
	nonce uint64
	// first is when the handlers first answered from snap, to the second:
	// the "timestamp" of the answers read from it.
	first time.Time
}

// entry returns snap's entry, numbering snap when it is not the snapshot
// last answered from. A number names one snapshot only: the entry holds
// it, so its address cannot be reused while it is compared with.
func (s *etagState) entry(snap *checks.Snapshot, now time.Time) *etagEntry {
	for {
		e := s.cur.Load()
		if e != nil && e.snap == snap {
			return e
		}
		n := &etagEntry{snap: snap, seq: 1, first: now.Truncate(time.Second)}
		if e != nil {
			n.nonce, n.seq = e.nonce, e.seq+1
		} else {
			var b [8]byte
			_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather)
			n.nonce = binary.LittleEndian.Uint64(b[:])
		}
		if s.cur.CompareAndSwap(e, n) {
			return n
		}
	}
}

// revalidate sets the ETag of the detailed answer to r and returns the
// time its "timestamp" shows. When the answer would be a 200 (ok) and r's
// If-None-Match names that ETag (or is "*"), it answers 304 Not Modified
// without a body itself and returns done. Call it after authentication.
func (h *Handlers) revalidate(w http.ResponseWriter, r *http.Request, q detailedQuery, snap *checks.Snapshot, now time.Time, ok bool, maint checks.Maintenance) (stamp time.Time, done bool) {
	e := h.etags.entry(snap, now)
	stamp = e.first
	var epoch int64 // the trend buckets now is in, for the forms with trends
	switch {
	case q.healthJSON && q.trends: // its ":successRate" time is now: never the same answer twice
		epoch = now.UnixNano()
	case q.trends && len(snap.Results) > 0:
		var short, long checks.WindowStats
		if checkview.TrendWindows(snap, 0, now, &short, &long) {
			ns := now.UnixNano()
			sw := max(int64(short.Window)/checkview.TrendShortBuckets, 1)
			lw := max(int64(long.Window)/checkview.TrendLongBuckets, 1)
			// The later of the two bucket starts names both buckets.
			epoch = max(floorDiv(ns, sw)*sw, floorDiv(ns, lw)*lw)
			if t := time.Unix(0, epoch).UTC(); t.After(stamp) {
				stamp = t.Truncate(time.Second)
			}
		}
	}
	f := fnv.New64a()
	_, _ = f.Write([]byte(r.URL.Path))
	_, _ = f.Write([]byte{'?'})
	_, _ = f.Write([]byte(r.URL.RawQuery))
	var flags byte
	if q.healthJSON {
		flags |= 1
	}
	if h.chainRequest(r) {
		flags |= 2
	}
	_, _ = f.Write([]byte{0, flags})
	_, _ = f.Write(maintenanceTag(maint)) // a window begun or ended changes the answer

	b := make([]byte, 0, 72)
	b = append(b, '"')
	b = strconv.AppendUint(b, e.nonce, 36)
	b = append(b, '-')
	b = strconv.AppendUint(b, e.seq, 36)
	b = append(b, '-')
	b = strconv.AppendUint(b, f.Sum64(), 36)
	if epoch != 0 {
		b = append(b, '-')
		b = strconv.AppendInt(b, epoch, 36)
	}
	b = append(b, '"')
	tag := string(b)
	hdr := w.Header()
	hdr["Etag"] = []string{tag}
	if !ok || !noneMatch(r.Header["If-None-Match"], tag) {
		return stamp, false
	}
	hdr["Cache-Control"] = hdrNoStore
	hdr["X-Content-Type-Options"] = hdrNoSniff
	w.WriteHeader(http.StatusNotModified)
	return stamp, true
}

// noneMatch reports whether the If-None-Match values list tag (weak
// comparison, as RFC 9110 asks for If-None-Match) or are "*".
func noneMatch(values []string, tag string) bool {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			item = strings.TrimSpace(item)
			if item == "*" || strings.TrimPrefix(item, "W/") == tag {
				return true
			}
		}
	}
	return false
}

// floorDiv is a/b rounded toward minus infinity, as the trend buckets are.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
