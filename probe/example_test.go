package probe_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/echofx/healthcheck/probe"
)

// A service's main starts with probe.Main(), which exits with Handle's
// code when the first argument is "probe". Here `myservice probe URL`
// against a healthy and a failing route, and `myservice serve`, which the
// probe leaves alone.
func ExampleHandle() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthcheck/" {
			http.Error(w, `{"status":"error"}`, http.StatusInternalServerError)
		}
	}))
	defer srv.Close()

	code, _ := probe.Handle([]string{"myservice", "probe", srv.URL + "/healthcheck/"})
	fmt.Println("exit", code)
	code, _ = probe.Handle([]string{"myservice", "probe", srv.URL + "/healthcheck/ready"})
	fmt.Println("exit", code)
	_, handled := probe.Handle([]string{"myservice", "serve"})
	fmt.Println("serve handled by the probe:", handled)
	// Output:
	// probe: healthy: HTTP 200
	// exit 0
	// probe: unhealthy: HTTP 500
	// exit 1
	// serve handled by the probe: false
}

// Without a URL argument the probe GETs the service's own address
// ($HTTP_ADDR, else the WithAddr default, here the test server's) on the
// public route, or the WithPath route of a service that mounts its health
// routes elsewhere.
func ExampleWithPath() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("GET", r.URL.Path)
	}))
	defer srv.Close()
	os.Unsetenv("HTTP_ADDR")

	code, _ := probe.Handle([]string{"myservice", "probe"}, probe.WithAddr(srv.Listener.Addr().String()), probe.WithPath("/health/"))
	fmt.Println("exit", code)
	// Output:
	// GET /health/
	// probe: healthy: HTTP 200
	// exit 0
}

// A service's main calls Main first: with "probe" as its first argument the
// binary probes its own health route and exits 0 or 1 (a Kubernetes exec
// probe or a Docker HEALTHCHECK in an image without curl); otherwise Main
// returns and the service starts. (Not run: Main exits.)
func ExampleMain() {
	probe.Main()
	// ... start the service
}

// A binary whose subcommand is "healthz" and whose listen address is in
// $APP_LISTEN.
func ExampleWithCommand() {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	os.Setenv("APP_LISTEN", srv.Listener.Addr().String())
	defer os.Unsetenv("APP_LISTEN")

	code, _ := probe.Handle([]string{"myservice", "healthz"}, probe.WithCommand("healthz"), probe.WithAddrEnv("APP_LISTEN"))
	fmt.Println("exit", code)
	// Output:
	// probe: healthy: HTTP 200
	// exit 0
}
