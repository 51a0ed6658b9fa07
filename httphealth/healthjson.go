package httphealth

import (
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
//	{"status":"pass","version":"..","checks":{"<name>:responseTime":[
//	  {"status":"pass","observedValue":1.2,"observedUnit":"ms",
//	   "time":"..","output":".."}]}}
//
// "output" (the sanitized message) is omitted when empty, as the draft
// asks for passing checks.
func (h *Handlers) appendHealthJSON(b []byte, results []checks.Result, status checks.Status) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, healthJSONStatus(status))
	b = append(b, `,"version":`...)
	b = appendString(b, h.cfg.version)
	b = append(b, `,"checks":{`...)
	for i := range results {
		r := &results[i]
		if i > 0 {
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
		if msg != "" {
			b = append(b, `,"output":`...)
			b = appendString(b, msg)
		}
		b = append(b, "}]"...)
	}
	return append(b, "}}"...)
}
