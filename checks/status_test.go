package checks_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestStatusJSON(t *testing.T) {
	for _, s := range []checks.Status{checks.StatusUnknown, checks.StatusHealthy, checks.StatusDegraded, checks.StatusUnhealthy} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `"`+s.String()+`"` {
			t.Fatalf("%v marshals to %s", s, b)
		}
		var back checks.Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Fatalf("round trip of %s: %v %v", b, back, err)
		}
	}
	if _, err := json.Marshal(checks.Status(9)); err == nil {
		t.Fatal("invalid status marshalled")
	}
}

func TestParseLevel(t *testing.T) {
	for _, l := range []checks.Level{checks.LevelBasic, checks.LevelStandard, checks.LevelComprehensive} {
		got, err := checks.ParseLevel(l.String())
		if err != nil || got != l {
			t.Fatalf("ParseLevel(%q) = %v, %v", l, got, err)
		}
	}
	if _, err := checks.ParseLevel("full"); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Fatalf("got %v", err)
	}
}

func TestAggregate(t *testing.T) {
	r := func(c checks.Criticality, s checks.Status) checks.Result {
		return checks.Result{Name: "x", Criticality: c, Status: s}
	}
	tests := []struct {
		name    string
		results []checks.Result
		want    checks.Status
	}{
		{"none", nil, checks.StatusHealthy},
		{"healthy", []checks.Result{r(checks.Required, checks.StatusHealthy)}, checks.StatusHealthy},
		{"required degraded", []checks.Result{r(checks.Required, checks.StatusDegraded)}, checks.StatusDegraded},
		{"optional unhealthy", []checks.Result{r(checks.Required, checks.StatusHealthy), r(checks.Optional, checks.StatusUnhealthy)}, checks.StatusDegraded},
		{"required unhealthy", []checks.Result{r(checks.Required, checks.StatusUnhealthy), r(checks.Optional, checks.StatusDegraded)}, checks.StatusUnhealthy},
		{"required unknown", []checks.Result{r(checks.Required, checks.StatusUnknown)}, checks.StatusUnhealthy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks.Aggregate(tt.results); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
