package adaptertest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	echo4 "github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/echov5health"
	"github.com/echofx/healthcheck/httphealth"
)

// adapter mounts the health routes of a runner on one kind of router.
type adapter struct {
	name string
	// base is the path the router puts before the routes (a group's).
	base string
	// mount serves runner's routes with a detailed route behind a JWT
	// verifier of jwtCfg (nil: no detailed route), plus opts.
	mount func(t testing.TB, runner *checks.Runner, jwtCfg *httphealth.JWTConfig, opts ...httphealth.Option) mounted
}

// mounted is a router with the routes on it.
type mounted struct {
	handler http.Handler
	// reverse finds a route's path by name; nil when the router names none.
	reverse func(name string) (string, error)
}

var errNoNames = errors.New("router has no route names")

// adapters is every router of the suite.
var adapters = []adapter{
	{name: "net/http ServeMux", mount: func(t testing.TB, r *checks.Runner, jc *httphealth.JWTConfig, opts ...httphealth.Option) mounted {
		if jc != nil {
			j, err := httphealth.NewJWT(*jc)
			must(t, err)
			opts = append(opts, httphealth.WithDetailed(j))
		}
		h, err := httphealth.New(r, opts...)
		must(t, err)
		mux := http.NewServeMux()
		must(t, h.Mount(mux))
		return mounted{handler: mux}
	}},
	{name: "Echo v4", mount: echo4Mount(false)},
	{name: "Echo v4 group", base: "/admin", mount: echo4Mount(true)},
	{name: "Echo v5", mount: echo5Mount(false)},
	{name: "Echo v5 group", base: "/admin", mount: echo5Mount(true)},
}

func echo4Mount(group bool) func(testing.TB, *checks.Runner, *httphealth.JWTConfig, ...httphealth.Option) mounted {
	return func(t testing.TB, r *checks.Runner, jc *httphealth.JWTConfig, opts ...httphealth.Option) mounted {
		if jc != nil {
			j, err := httphealth.NewJWT(*jc)
			must(t, err)
			opts = append(opts, httphealth.WithDetailed(j))
		}
		e := echo4.New()
		var router echohealth.Router = e
		if group {
			router = e.Group("/admin")
		}
		h, err := httphealth.New(r, opts...)
		must(t, err)
		must(t, echohealth.Mount(router, h))
		return mounted{handler: e, reverse: func(name string) (string, error) {
			for _, rt := range e.Routes() {
				if rt.Name == name {
					return e.Reverse(name, "CHECK"), nil
				}
			}
			return "", errors.New("no route named " + name)
		}}
	}
}

func echo5Mount(group bool) func(testing.TB, *checks.Runner, *httphealth.JWTConfig, ...httphealth.Option) mounted {
	return func(t testing.TB, r *checks.Runner, jc *httphealth.JWTConfig, opts ...httphealth.Option) mounted {
		if jc != nil {
			j, err := httphealth.NewJWT(*jc)
			must(t, err)
			opts = append(opts, httphealth.WithDetailed(j))
		}
		e := echo5.New()
		var router echov5health.Router = e
		if group {
			router = e.Group("/admin")
		}
		h, err := httphealth.New(r, opts...)
		must(t, err)
		must(t, echov5health.Mount(router, h))
		return mounted{handler: e, reverse: func(name string) (string, error) {
			return e.Router().Routes().Reverse(name, "CHECK")
		}}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// forEach runs f as a subtest for every adapter.
func forEach(t *testing.T, f func(t *testing.T, a adapter)) {
	for _, a := range adapters {
		t.Run(a.name, func(t *testing.T) { f(t, a) })
	}
}

// TestRouteNames checks that every named route is found by the router's
// reverse lookup at the path the route table gives.
func TestRouteNames(t *testing.T) {
	runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
	jc := jwtConfig()
	groups := httphealth.WithGroups(checks.Group{Name: "core", Checks: []string{"db"}})
	h, err := httphealth.New(runner, groups, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })))
	must(t, err)
	names := map[string]bool{}
	for _, rt := range h.Routes() {
		names[rt.Name] = true
	}
	for _, n := range []string{"healthcheck:startup", "healthcheck:startup:head", "healthcheck:group", "healthcheck:group:head"} {
		if !names[n] {
			t.Errorf("no route named %s", n)
		}
	}
	forEach(t, func(t *testing.T, a adapter) {
		m := a.mount(t, runner, &jc, groups)
		if m.reverse == nil {
			t.Skip("http.ServeMux names no routes")
		}
		for _, rt := range h.Routes() {
			want := a.base + rt.Path
			if rt.Param != "" {
				want += "CHECK"
			}
			if want == "" {
				want = "/"
			}
			got, err := m.reverse(rt.Name)
			if err != nil || got != want {
				t.Errorf("reverse(%q) = %q, %v; want %q", rt.Name, got, err, want)
			}
		}
		if got, err := m.reverse(httphealth.RouteName); err != nil || got != a.base+"/healthcheck/" {
			t.Errorf("reverse(%q) = %q, %v", httphealth.RouteName, got, err)
		}
	})
}

// TestImportsStayApart checks that the Echo v4 adapter does not compile
// Echo v5 and the reverse, and that the core compiles neither.
func TestImportsStayApart(t *testing.T) {
	for pkg, banned := range map[string][]string{
		"github.com/echofx/healthcheck/httphealth":   {"github.com/labstack/echo/v4", "github.com/labstack/echo/v5"},
		"github.com/echofx/healthcheck/echohealth":   {"github.com/labstack/echo/v5"},
		"github.com/echofx/healthcheck/echov5health": {"github.com/labstack/echo/v4"},
	} {
		deps := goListDeps(t, pkg)
		for _, b := range banned {
			for _, d := range deps {
				if d == b || strings.HasPrefix(d, b+"/") {
					t.Errorf("%s compiles %s", pkg, d)
				}
			}
		}
	}
}
