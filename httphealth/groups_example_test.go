package httphealth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// Health groups: each is served at {prefix}/group/{name} like the public
// route over its checks; ?verbose answers text for people at a terminal.
func ExampleWithGroups() {
	runner := checks.NewRunner()
	defer runner.Close()
	ok := checks.FromFunc(func(context.Context) error { return nil })
	_ = runner.Register(
		checks.Check{Name: "database", Func: ok},
		checks.Check{Name: "migrations", Func: ok},
		checks.Check{Name: "redis", Criticality: checks.Optional,
			Func: checks.FromFunc(func(context.Context) error { return errors.New("connection refused") })},
	)
	runner.Run(context.Background())

	h, err := httphealth.New(runner,
		httphealth.WithGroups(
			checks.Group{Name: "core", Checks: []string{"database", "migrations"}},
			checks.Group{Name: "cache", Checks: []string{"redis"}},
		),
		httphealth.WithDegradedStatus(http.StatusMultiStatus), // 207 when degraded (default 200)
	)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		panic(err)
	}
	for _, path := range []string{"/healthcheck/group/core", "/healthcheck/group/cache", "/healthcheck/group/nope", "/healthcheck/?verbose"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Printf("%s %d\n%s\n", path, rec.Code, rec.Body)
	}
	// Output:
	// /healthcheck/group/core 200
	// {"status":"success","data":{"health":"ok"}}
	// /healthcheck/group/cache 207
	// {"status":"success","data":{"health":"degraded"}}
	// /healthcheck/group/nope 404
	// {"status":"error","error":"unknown group"}
	// /healthcheck/?verbose 207
	// [+]database ok
	// [+]migrations ok
	// [-]redis failed: reason withheld (optional)
	// health check passed
}
