package downstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// downstreamReport is a Report with the downstream's own status word.
type downstreamReport struct {
	checks.Report
	health string // ok, degraded, error, pass, warn, fail; "" if none
}

// publicAnswer is the union of this library's public body and the
// health+json top level.
type publicAnswer struct {
	Status string `json:"status"`
	Data   *struct {
		Health string `json:"health"`
	} `json:"data"`
	Error  string `json:"error"`
	Output string `json:"output"`
}

// mapDownstreamAnswer maps a public route's answer to a report (see
// Downstream).
func mapDownstreamAnswer(code int, ctype string, body []byte, tooBig bool) downstreamReport {
	ok2xx := code >= 200 && code <= 299
	httpFail := downstreamReport{Report: checks.Report{Status: checks.StatusUnhealthy, Message: fmt.Sprintf("HTTP %d", code)}}
	invalid := downstreamReport{Report: checks.Report{Status: checks.StatusUnhealthy, Message: "invalid health response"}}
	var a publicAnswer
	if tooBig || json.Unmarshal(body, &a) != nil {
		if ok2xx {
			if tooBig {
				invalid.Message += " (over 64 KiB)"
			}
			return invalid
		}
		return httpFail
	}
	word := strings.ToLower(a.Status)
	switch {
	case word == "success" && a.Data != nil:
		switch h := strings.ToLower(a.Data.Health); h {
		case "ok":
			if ok2xx {
				return downstreamReport{Report: checks.Report{Status: checks.StatusHealthy}, health: h}
			}
		case "degraded":
			if ok2xx {
				return downstreamReport{Report: checks.Report{Status: checks.StatusDegraded, Message: "degraded"}, health: h}
			}
		default:
			if ok2xx {
				return invalid
			}
		}
		return httpFail
	case word == "error" && a.Data == nil: // this library's failure body
		msg := downstreamMessage(a.Error)
		if msg == "" {
			msg = downstreamMessage(a.Output) // health+json's "error" alias of "fail"
		}
		if msg == "" {
			msg = httpFail.Message
		}
		return downstreamReport{Report: checks.Report{Status: checks.StatusUnhealthy, Message: msg}, health: "error"}
	}
	if a.Data == nil || isHealthJSON(ctype) {
		switch word {
		case "pass", "ok", "up":
			if ok2xx {
				return downstreamReport{Report: checks.Report{Status: checks.StatusHealthy}, health: "pass"}
			}
			return httpFail
		case "warn":
			if ok2xx {
				msg := downstreamMessage(a.Output)
				if msg == "" {
					msg = "degraded"
				}
				return downstreamReport{Report: checks.Report{Status: checks.StatusDegraded, Message: msg}, health: "warn"}
			}
			return httpFail
		case "fail", "down":
			msg := downstreamMessage(a.Output)
			if msg == "" {
				msg = httpFail.Message
			}
			return downstreamReport{Report: checks.Report{Status: checks.StatusUnhealthy, Message: msg}, health: "fail"}
		}
	}
	if ok2xx {
		return invalid
	}
	return httpFail
}

func isHealthJSON(ctype string) bool {
	mt, _, _ := strings.Cut(ctype, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/health+json")
}

// downstreamMessage makes a downstream's own message safe to show: control
// characters become spaces, credentials and addresses are redacted (see
// Redact) and it is cut to 200 bytes.
func downstreamMessage(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return checks.Redact(s)
}

// parseNestedChecks reads the "checks" of a detailed answer, this
// library's ({"name":{"status":"healthy",...}}) or health+json's
// ({"name:measurement":[{"status":"pass",...}]}), into name -> status.
func parseNestedChecks(body []byte) (map[string]string, bool) {
	var d struct {
		Checks map[string]json.RawMessage `json:"checks"`
	}
	if json.Unmarshal(body, &d) != nil || d.Checks == nil {
		return nil, false
	}
	out := make(map[string]string, min(len(d.Checks), downstreamMaxNested))
	for key, raw := range d.Checks {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		name, s := key, checks.StatusUnknown
		switch raw[0] {
		case '{':
			var c struct {
				Status checks.Status `json:"status"`
			}
			if json.Unmarshal(raw, &c) != nil {
				continue
			}
			s = c.Status
		case '[':
			name, _, _ = strings.Cut(key, ":")
			var cs []struct {
				Status string `json:"status"`
			}
			if json.Unmarshal(raw, &cs) != nil {
				continue
			}
			for _, c := range cs {
				s = max(s, healthJSONToStatus(c.Status))
			}
		default:
			continue
		}
		if checks.ValidateName(name) != nil || len(name) > 100 {
			continue
		}
		if prev, ok := out[name]; ok { // several health+json measurements
			var p checks.Status
			_ = p.UnmarshalText([]byte(prev))
			s = max(p, s)
		} else if len(out) >= downstreamMaxNested {
			continue
		}
		out[name] = s.String()
	}
	return out, true
}

func healthJSONToStatus(s string) checks.Status {
	switch strings.ToLower(s) {
	case "pass", "ok", "up":
		return checks.StatusHealthy
	case "warn":
		return checks.StatusDegraded
	case "fail", "down", "error":
		return checks.StatusUnhealthy
	}
	return checks.StatusUnknown
}

// fileToken reads a token file, again whenever its modification time or
// size changes.
type fileToken struct {
	path string

	mu    sync.Mutex
	mod   time.Time
	size  int64
	token string
}

func (f *fileToken) get(context.Context) (string, error) {
	fi, err := os.Stat(f.path)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.token != "" && fi.ModTime().Equal(f.mod) && fi.Size() == f.size {
		return f.token, nil
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return "", err
	}
	f.token, f.mod, f.size = strings.TrimSpace(string(b)), fi.ModTime(), fi.Size()
	return f.token, nil
}
