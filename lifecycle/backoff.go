package lifecycle

import (
	"math"
	"time"
)

// backoffCap is the largest wait after failed attempt n (from 1):
// min(max, initial x multiplier^(n-1)).
func backoffCap(n int, initial, max time.Duration, multiplier float64) time.Duration {
	if n < 1 {
		n = 1
	}
	d := float64(initial) * math.Pow(multiplier, float64(n-1))
	if math.IsNaN(d) || d >= float64(max) {
		return max
	}
	return time.Duration(d)
}

// fullJitter returns a wait drawn uniformly from [0, limit] given r in
// [0, 1] ("full jitter"): retries of many instances spread out instead of
// hitting a recovering dependency together. r outside [0, 1] is clamped.
func fullJitter(limit time.Duration, r float64) time.Duration {
	return time.Duration(float64(limit) * clamp01(r))
}

// periodicWait is the wait before a check's next periodic run: the
// interval shortened by up to periodicJitter of it (never longer
// than the interval), minus the age of the result on hand, so that the
// result is never older than the interval when the next run starts. A
// cached result is not refreshed by the runner before its TTL, so the wait
// is at least what remains of it (ttl-age), and never negative.
func periodicWait(interval, ttl, age time.Duration, r float64) time.Duration {
	w := interval - time.Duration(float64(interval)*periodicJitter*clamp01(r)) - age
	w = max(w, ttl-age)
	return max(w, 0)
}

func clamp01(r float64) float64 {
	switch {
	case r > 1:
		return 1
	case r > 0:
		return r
	default: // negative or NaN
		return 0
	}
}
