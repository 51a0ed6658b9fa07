package probe_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

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

// The URL probed without an argument: $HTTP_ADDR, else :8788, on the
// public route.
func ExampleDefaultURL() {
	getenv := func(k string) string { return map[string]string{"HTTP_ADDR": ":9000"}[k] }
	url, _ := probe.DefaultURL(probe.WithGetenv(getenv))
	fmt.Println(url)
	url, _ = probe.DefaultURL(probe.WithGetenv(func(string) string { return "" }), probe.WithPath("/health/"))
	fmt.Println(url)
	// Output:
	// http://127.0.0.1:9000/healthcheck/
	// http://127.0.0.1:8788/health/
}
