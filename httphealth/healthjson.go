package httphealth

import (
	"github.com/echofx/healthcheck/internal/checkview"
	"math"
	"strconv"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// healthJSONStatus maps a status to the IETF draft's: pass (healthy),
// warn (degraded), fail (unhealthy or unknown).
func healthJSONStatus(s checks.Status) string {
	switch s {
	case checks.StatusHealthy:
		return "pass"
	case checks.StatusDegraded:
		return "warn"
	}
	return "fail"
}

// appendHealthJSON encodes the IETF draft format
// (draft-inadarei-api-health-check):
//
//	{"status":"pass","version":"..","checks":{
//	  "<name>:responseTime":[{"status":"pass","observedValue":1.2,"observedUnit":"ms",
//	    "time":"..","output":".."}],
//	  "<name>:successRate":[{"status":"pass","observedValue":99.5,"observedUnit":"%",
//	    "time":".."}]}}
//
// "output" (the sanitized message) is omitted when empty, as the draft
// asks for passing checks, and when output is false (a public route
// without public errors). With trends=1, ":successRate" is the share of
// passing executions over the short trend window (1 h by default), present
// once a check ran in it; its time is when the window ends.
func (h *Handlers) appendHealthJSON(b []byte, snap *checks.Snapshot, idx []int, status checks.Status, now time.Time, trends, output bool) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, healthJSONStatus(status))
	b = append(b, `,"version":`...)
	b = appendString(b, h.cfg.version)
	b = append(b, `,"checks":{`...)
	var short, long checks.WindowStats
	for j, i := range idx {
		r := &snap.Results[i]
		if j > 0 {
			b = append(b, ',')
		}
		b = appendString(b, r.Name+":responseTime")
		b = append(b, `:[{"status":`...)
		b = appendString(b, healthJSONStatus(r.Status))
		b = append(b, `,"observedValue":`...)
		b = appendMillis(b, r.Duration)
		b = append(b, `,"observedUnit":"ms"`...)
		if !r.Time.IsZero() {
			b = append(b, `,"time":`...)
			b = appendTime(b, r.Time, time.RFC3339Nano)
		}
		msg := r.Message
		if msg == "" && r.Status == checks.StatusUnknown {
			msg = "not checked yet"
		}
		if msg != "" && output {
			b = append(b, `,"output":`...)
			b = appendString(b, msg)
		}
		b = append(b, "}]"...)
		if trends && checkview.TrendWindows(snap, i, now, &short, &long) && short.Runs > 0 {
			b = append(b, ',')
			b = appendString(b, r.Name+":successRate")
			b = append(b, `:[{"status":`...)
			b = appendString(b, healthJSONStatus(r.Status))
			b = append(b, `,"observedValue":`...)
			b = strconv.AppendFloat(b, math.Round(short.SuccessRate*1e4)/1e2, 'f', -1, 64)
			b = append(b, `,"observedUnit":"%","time":`...)
			b = appendTime(b, now, time.RFC3339)
			b = append(b, "}]"...)
		}
	}
	return append(b, "}}"...)
}
