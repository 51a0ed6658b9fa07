package main

import (
	"encoding/json"
	"net/http"
	"strings"
)

// soakValidate checks one response of the load against the
// documented bodies, and returns the error message of a failure body.
func soakValidate(r soakRoute, code int, body []byte, secrets []string) (problem, message string) {
	text := strings.TrimSpace(string(body))
	for _, s := range secrets {
		if strings.Contains(text, s) {
			return "the body carries a secret", ""
		}
	}
	const degradedBody = `{"status":"success","data":{"health":"degraded"}}`
	switch {
	case r == soakLive:
		if code != http.StatusOK || text != okBody {
			return "live must always answer 200 ok", ""
		}
		return "", ""
	case r == soakDetailed:
		var d struct {
			Status string                     `json:"status"`
			Checks map[string]json.RawMessage `json:"checks"`
		}
		if code != http.StatusOK {
			return "detailed must answer 200", ""
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return "detailed: " + err.Error(), ""
		}
		if d.Status != "healthy" && d.Status != "degraded" && d.Status != "unhealthy" {
			return "detailed: unknown status", ""
		}
		for _, c := range []string{"database", "memory", "schema"} {
			if _, ok := d.Checks[c]; !ok {
				return "detailed: check " + c + " missing", ""
			}
		}
		return "", ""
	}
	// public and ready
	failCode := http.StatusInternalServerError
	if r == soakReady {
		failCode = http.StatusServiceUnavailable
	}
	switch code {
	case http.StatusOK:
		if text != okBody && text != degradedBody {
			return "200 with an undocumented body", ""
		}
		return "", ""
	case failCode:
		var f map[string]string
		if err := json.Unmarshal(body, &f); err != nil || len(f) != 2 || f["status"] != "error" {
			return `want {"status":"error","error":"..."}`, ""
		}
		// checks.FailureMessage prefixes "database: " unless the message
		// already mentions the check, as the server's "the database
		// system is shutting down" does.
		msg := f["error"]
		if !strings.HasPrefix(msg, "database: ") && !strings.Contains(msg, "database") {
			return "the failure does not name the database", msg
		}
		if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "postgres://") {
			return "the failure names the server", msg
		}
		return "", msg
	}
	return "undocumented status", ""
}
