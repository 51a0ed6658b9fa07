package httphealth

import (
	"github.com/echofx/healthcheck/internal/checkview"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/echofx/healthcheck/checks"
)

// Bodies of the detailed routes' client errors.
var (
	bodyBadLevel   = newBody([]byte(`{"status":"error","error":"invalid level: want basic, standard or comprehensive"}`))
	bodyBadHistory = newBody([]byte(`{"status":"error","error":"invalid history: want 0 or 1"}`))
	bodyBadTrends  = newBody([]byte(`{"status":"error","error":"invalid trends or series: want 0 or 1"}`))
	bodyBadCompact = newBody([]byte(`{"status":"error","error":"invalid compact: want a number of checks, 0 or more"}`))
)

// detailedQuery is the parsed query of the detailed routes.
type detailedQuery struct {
	level      checks.Level
	include    []string // empty: every check of the level
	exclude    []string
	history    bool
	trends     bool // trends=1: the trend windows
	series     bool // series=1: the series and transitions too
	compact    int  // compact=N: healthy checks compact past N checks; -1: never
	healthJSON bool // Accept: application/health+json
}

// selectIndexes returns the indexes in snap.Results of q's level, include
// and exclude lists, in name order, leaving out downstream checks when
// local.
func selectIndexes(snap *checks.Snapshot, q detailedQuery, local bool) []int {
	out := make([]int, 0, len(snap.Results))
	for i := range snap.Results {
		r := &snap.Results[i]
		if !q.level.Includes(r.Level) || local && checkview.IsDownstream(snap, i) {
			continue
		}
		if len(q.include) > 0 && !contains(q.include, r.Name) {
			continue
		}
		if contains(q.exclude, r.Name) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// parseDetailedQuery parses the query and the Accept header; a client
// error returns the 400 body to send.
func parseDetailedQuery(v url.Values, hdr http.Header) (detailedQuery, *body) {
	q := detailedQuery{level: checks.LevelComprehensive, compact: -1}
	if s, ok := lastValue(v, "level"); ok {
		l, err := checks.ParseLevel(strings.ToLower(strings.TrimSpace(s)))
		if err != nil {
			return q, bodyBadLevel
		}
		q.level = l
	}
	if s, ok := lastValue(v, "history"); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return q, bodyBadHistory
		}
		q.history = b
	}
	if s, ok := lastValue(v, "trends"); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return q, bodyBadTrends
		}
		q.trends = b
	}
	if s, ok := lastValue(v, "series"); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return q, bodyBadTrends
		}
		q.series = b
		q.trends = q.trends || b
	}
	if s, ok := lastValue(v, "compact"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return q, bodyBadCompact
		}
		q.compact = n
	}
	q.include = splitList(v["check"])
	q.exclude = splitList(v["exclude"])
	q.healthJSON = acceptsHealthJSON(hdr.Values("Accept"))
	return q, nil
}

func lastValue(v url.Values, key string) (string, bool) {
	vs := v[key]
	if len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// splitList splits comma-separated values (the parameter may repeat),
// dropping empty items.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// acceptsHealthJSON reports whether an Accept header lists
// application/health+json with a non-zero quality.
func acceptsHealthJSON(values []string) bool {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			mt, params, _ := strings.Cut(item, ";")
			if !strings.EqualFold(strings.TrimSpace(mt), MIMEHealthJSON) {
				continue
			}
			accepted := true
			for p := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(p, "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil && f <= 0 {
						accepted = false
					}
				}
			}
			if accepted {
				return true
			}
		}
	}
	return false
}
