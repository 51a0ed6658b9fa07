package downstream_test

import (
	"context"
	"fmt"
	"github.com/echofx/healthcheck/internal/checkview"
	"net/http"
	"net/http/httptest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/downstream"
)

func ExampleNew() {
	// The orders service runs this library: its public route says degraded,
	// its detailed route (behind a token) names the culprit.
	mux := http.NewServeMux()
	mux.HandleFunc("/healthcheck/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("chain header:", r.Header.Get(downstream.Header))
		w.Write([]byte(`{"status":"success","data":{"health":"degraded"}}`))
	})
	mux.HandleFunc("/healthcheck/detailed", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"status":"degraded","checks":{"database":{"status":"healthy"},"cache":{"status":"unhealthy","error":"connection refused"}}}`))
	})
	orders := httptest.NewServer(mux)
	defer orders.Close()

	c, err := downstream.New(orders.URL+"/healthcheck/", downstream.Config{
		Name:   "orders",
		Origin: "billing",
		Token:  "s3cret",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := checks.NewRunner()
	defer r.Close()
	if err := r.Register(c); err != nil {
		fmt.Println(err)
		return
	}
	snap := r.Run(context.Background())
	res, _ := snap.Result("orders")
	fmt.Println(res.Status, res.Message, res.Details["health"], res.Details["checks"])
	// A request carrying the chain header is answered without downstream checks.
	fmt.Println(snap.Status(), checks.Status(checkview.LocalStatus(snap, uint8(checks.LevelComprehensive))))
	// Output:
	// chain header: billing
	// degraded degraded degraded map[cache:unhealthy database:healthy]
	// degraded healthy
}
