package httpcheck_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/httpcheck"
)

// An external API as an Optional check: when it fails, the service reports
// degraded rather than unhealthy. The returned Check's fields can still be
// adjusted before registration.
func ExampleNew() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"status":"ok"}`)
	}))
	defer api.Close()

	check, err := httpcheck.New(api.URL+"/health", httpcheck.Config{
		Name:          "payment-gateway",
		SlowThreshold: 2 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	check.Timeout = 3 * time.Second

	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(check); err != nil {
		panic(err)
	}
	res, err := runner.Check(context.Background(), "payment-gateway")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, res.Criticality, res.Details["status_code"])
	// Output: healthy optional 200
}

// Failures read as short classes that are safe to show: no URL, host or
// credentials.
func ExampleNew_failure() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer api.Close()

	check, err := httpcheck.New(api.URL, httpcheck.Config{Name: "search"})
	if err != nil {
		panic(err)
	}
	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(check); err != nil {
		panic(err)
	}
	snap := runner.Run(context.Background())
	res, _ := snap.Result("search")
	fmt.Println(res.Status, res.Message)
	fmt.Println("service:", snap.Status())
	// Output:
	// unhealthy HTTP 503
	// service: degraded
}
