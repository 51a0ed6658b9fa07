package httphealth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// The health routes on the standard library's router, with no framework.
func ExampleHandlers_Mount() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{
		Name: "database",
		Func: checks.FromFunc(func(ctx context.Context) error { return nil }), // e.g. pool.Ping
	})

	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: []byte("an-example-secret-of-32-bytes-at-least")})
	if err != nil {
		panic(err)
	}
	h, err := httphealth.New(runner, httphealth.WithDetailed(auth))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil { // GET /healthcheck/{$}, GET /healthcheck/detailed/{check}, …
		panic(err)
	}

	for _, path := range []string{"/healthcheck/", "/healthcheck/live", "/healthcheck/detailed"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, rec.Code, rec.Body.String())
	}
	// Output:
	// /healthcheck/ 200 {"status":"success","data":{"health":"ok"}}
	// /healthcheck/live 200 {"status":"success","data":{"health":"ok"}}
	// /healthcheck/detailed 401 {"status":"error","error":"unauthorized"}
}

// Any other router registers Routes one by one.
func ExampleHandlers_Routes() {
	runner := checks.NewRunner()
	defer runner.Close()
	h, err := httphealth.New(runner, httphealth.WithoutReady())
	if err != nil {
		panic(err)
	}
	for _, rt := range h.Routes() {
		if rt.Method == http.MethodGet {
			fmt.Println(rt.Method, rt.Path+rt.Param, rt.Name)
		}
	}
	// Output:
	// GET /healthcheck healthcheck:get:noslash
	// GET /healthcheck/ healthcheck:get
	// GET /healthcheck/live healthcheck:live
	// GET /healthcheck/startup healthcheck:startup
}

// The detailed routes' JWT verifier protects another route of the app
// (pprof, say) with the same 401.
func ExampleJWT_Middleware() {
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: []byte("an-example-secret-of-32-bytes-at-least")})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /debug/vars", auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "{}")
	})))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/vars", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	// Output: 401 Bearer {"status":"error","error":"unauthorized"}
}
