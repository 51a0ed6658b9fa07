package browsertest

import (
	"encoding/json"
	"math"
	"net/http"
	"time"
)

// The detailed JSON with trends (GET {prefix}/detailed?series=1), as the
// page expects it: the fixture TestStatusPageTrends serves in place of the
// detailed route, so that the page's trend rendering is tested before, and
// independently of, the runner's numbers.
type (
	fixtureDetailed struct {
		Status       string                  `json:"status"`
		Timestamp    string                  `json:"timestamp"`
		Version      string                  `json:"version"`
		Checks       map[string]fixtureCheck `json:"checks"`
		Dependencies map[string]string       `json:"dependencies"`
	}
	fixtureCheck struct {
		Status              string         `json:"status"`
		ResponseTimeMS      float64        `json:"response_time_ms"`
		Details             map[string]any `json:"details,omitempty"`
		Error               string         `json:"error,omitempty"`
		LastSuccess         string         `json:"last_success,omitempty"`
		ConsecutiveFailures int            `json:"consecutive_failures"`
		Availability        float64        `json:"availability"`
		Downstream          bool           `json:"downstream,omitempty"`
		Trends              *fixtureTrends `json:"trends,omitempty"`
	}
	fixtureTrends struct {
		Short       fixtureWindow       `json:"short"`
		Long        fixtureWindow       `json:"long"`
		Series      []fixturePoint      `json:"series"`
		Transitions []fixtureTransition `json:"transitions"`
	}
	fixtureWindow struct {
		Window      string  `json:"window"`
		Runs        int     `json:"runs"`
		Failures    int     `json:"failures"`
		SuccessRate float64 `json:"success_rate"`
		P50MS       float64 `json:"p50_ms"`
		P95MS       float64 `json:"p95_ms"`
		MeanMS      float64 `json:"mean_ms"`
	}
	fixturePoint struct {
		Start    string  `json:"start"`
		Runs     int     `json:"runs"`
		Failures int     `json:"failures"`
		MeanMS   float64 `json:"mean_ms"`
	}
	fixtureTransition struct {
		From    string `json:"from"`
		To      string `json:"to"`
		Time    string `json:"time"`
		Message string `json:"message,omitempty"`
	}
)

// fixtureNow is the fixture's clock: the README's screenshot does not
// change from one run to the next.
var fixtureNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// series is 60 per-minute points around base ms, with a deterministic
// wobble, failures at the given minutes and no run at the gaps.
func series(base, wobble float64, failAt []int, gaps []int) []fixturePoint {
	pts := make([]fixturePoint, 60)
	for i := range pts {
		mean := base + wobble*(math.Sin(float64(i)/4.0)+0.6*math.Sin(float64(i)*1.7))
		pts[i] = fixturePoint{Start: rfc(fixtureNow.Add(time.Duration(i-59) * time.Minute).Truncate(time.Minute)), Runs: 4, MeanMS: math.Round(mean*100) / 100}
		for _, f := range failAt {
			if f == i {
				pts[i].Failures = 1
				pts[i].MeanMS *= 3
			}
		}
		for _, g := range gaps {
			if g == i {
				pts[i] = fixturePoint{Start: pts[i].Start}
			}
		}
	}
	return pts
}

func window(name string, runs, failures int, p50, p95 float64) fixtureWindow {
	return fixtureWindow{Window: name, Runs: runs, Failures: failures,
		SuccessRate: math.Round(float64(runs-failures)/float64(runs)*1e4) / 1e4, P50MS: p50, P95MS: p95, MeanMS: (p50 + p95) / 2}
}

// trendsFixture is a service with a database that was down for a minute
// three hours ago, a slow search, and two downstream services.
func trendsFixture() fixtureDetailed {
	ago := func(d time.Duration) string { return rfc(fixtureNow.Add(-d)) }
	return fixtureDetailed{
		Status: "degraded", Timestamp: rfc(fixtureNow), Version: "2.7.0",
		Checks: map[string]fixtureCheck{
			"database": {Status: "healthy", ResponseTimeMS: 1.84, Details: map[string]any{"total_conns": 4, "max_conns": 10},
				LastSuccess: ago(0), Availability: 1,
				Trends: &fixtureTrends{
					Short: window("1h", 240, 1, 1.7, 3.9), Long: window("24h", 5760, 9, 1.8, 4.4),
					Series: series(1.9, 0.5, []int{41}, nil),
					Transitions: []fixtureTransition{
						{From: "healthy", To: "unhealthy", Time: ago(3*time.Hour + 12*time.Minute), Message: "connection refused"},
						{From: "unhealthy", To: "healthy", Time: ago(3*time.Hour + 11*time.Minute)},
						{From: "healthy", To: "unhealthy", Time: ago(19 * time.Minute), Message: "timeout"},
						{From: "unhealthy", To: "healthy", Time: ago(18*time.Minute + 30*time.Second)},
					},
				}},
			"redis": {Status: "healthy", ResponseTimeMS: 0.42, LastSuccess: ago(0), Availability: 1,
				Trends: &fixtureTrends{Short: window("1h", 240, 0, 0.4, 0.9), Long: window("24h", 5760, 0, 0.4, 1.1),
					Series: series(0.45, 0.08, nil, nil), Transitions: []fixtureTransition{}}},
			"search": {Status: "degraded", ResponseTimeMS: 1412, Error: "slow response (1.4s)", LastSuccess: ago(0), Availability: 1,
				Trends: &fixtureTrends{Short: window("1h", 240, 0, 980, 1460), Long: window("24h", 5760, 0, 310, 1210),
					Series:      series(900, 260, nil, []int{12, 13}),
					Transitions: []fixtureTransition{{From: "healthy", To: "degraded", Time: ago(47 * time.Minute), Message: "slow response (1.1s)"}}}},
			"orders": {Status: "degraded", ResponseTimeMS: 6.3, Error: "degraded", Downstream: true, Availability: 1,
				Details: map[string]any{"url": "http://orders:8788/healthcheck/", "status_code": 200, "health": "degraded",
					"checks": map[string]string{"database": "healthy", "payments": "degraded", "queue": "healthy"}},
				Trends: &fixtureTrends{Short: window("1h", 240, 0, 5.8, 9.7), Long: window("24h", 5760, 12, 5.9, 11.2),
					Series:      series(6, 1.5, nil, nil),
					Transitions: []fixtureTransition{{From: "healthy", To: "degraded", Time: ago(8 * time.Minute), Message: "degraded"}}}},
			"billing": {Status: "unhealthy", ResponseTimeMS: 2.1, Error: "connection refused", Downstream: true, ConsecutiveFailures: 14,
				Details: map[string]any{"url": "http://billing:8788/healthcheck/"}, Availability: 0,
				Trends: &fixtureTrends{Short: window("1h", 240, 56, 3.1, 7.9), Long: window("24h", 5760, 56, 3.2, 8.3),
					Series:      series(3, 0.8, []int{46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59}, nil),
					Transitions: []fixtureTransition{{From: "healthy", To: "unhealthy", Time: ago(14 * time.Minute), Message: "connection refused"}}}},
		},
		Dependencies: map[string]string{"database": "required", "redis": "required", "search": "optional", "orders": "optional", "billing": "optional"},
	}
}

// fixtureHandler answers the detailed route with the fixture for the
// bearer token want, and with httphealth's 401 otherwise.
func fixtureHandler(want string, unauthorized http.Handler) http.Handler {
	body, err := json.Marshal(trendsFixture())
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+want {
			unauthorized.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
}
