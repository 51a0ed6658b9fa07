package healthfx

import (
	"errors"
	"net/http"

	echo4 "github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/echov5health"
	"github.com/echofx/healthcheck/httphealth"
)

// Router says where Module registers the health routes. Without one, the
// module uses the app's *echo.Echo: Echo v4's (github.com/labstack/echo/v4)
// or Echo v5's (github.com/labstack/echo/v5), whichever the app provides;
// an app that provides both, or wants the routes on an *echo.Group, on a
// separate admin server, or on an *http.ServeMux, provides a Router:
//
//	fx.Provide(func(admin *echo.Echo) healthfx.Router { return healthfx.OnEcho(admin) })
//
// or, for an admin Echo provided under a name (annotate a function of
// *echo.Echo: OnEcho itself takes the echohealth.Router interface, which
// fx would look for instead):
//
//	fx.Provide(fx.Annotate(func(admin *echo.Echo) healthfx.Router { return healthfx.OnEcho(admin) },
//		fx.ParamTags(`name:"admin"`)))
//
// A zero Router counts as none.
type Router struct {
	kind     string
	register func(runner *checks.Runner, opts ...httphealth.Option) error
}

// OnEcho registers the routes on an Echo v4 *echo.Echo or *echo.Group
// (echohealth.Mount).
func OnEcho(r echohealth.Router) Router {
	return Router{kind: "Echo v4", register: func(runner *checks.Runner, opts ...httphealth.Option) error {
		h, err := httphealth.New(runner, opts...)
		if err != nil {
			return err
		}
		return echohealth.Mount(r, h)
	}}
}

// OnEchoV5 registers the routes on an Echo v5 *echo.Echo or *echo.Group
// (echov5health.Mount).
func OnEchoV5(r echov5health.Router) Router {
	return Router{kind: "Echo v5", register: func(runner *checks.Runner, opts ...httphealth.Option) error {
		h, err := httphealth.New(runner, opts...)
		if err != nil {
			return err
		}
		return echov5health.Mount(r, h)
	}}
}

// OnServeMux registers the routes on an *http.ServeMux
// (httphealth.Handlers.Mount).
func OnServeMux(mux *http.ServeMux) Router {
	return Router{kind: "http.ServeMux", register: func(runner *checks.Runner, opts ...httphealth.Option) error {
		h, err := httphealth.New(runner, opts...)
		if err != nil {
			return err
		}
		return h.Mount(mux)
	}}
}

// ErrNoRouter: the app gave the module nowhere to put its routes, or two
// places and no Router to choose.
var ErrNoRouter = errors.New("healthfx: no router for the health routes")

// pickRouter returns the Router the app provided, else one for its only
// *echo.Echo.
func pickRouter(r Router, e4 *echo4.Echo, e5 *echo5.Echo) (Router, error) {
	switch {
	case r.register != nil:
		return r, nil
	case e4 != nil && e5 != nil:
		return Router{}, errors.Join(ErrNoRouter, errors.New("the app provides both an Echo v4 and an Echo v5 *echo.Echo: provide a healthfx.Router (OnEcho or OnEchoV5) to choose"))
	case e4 != nil:
		return OnEcho(e4), nil
	case e5 != nil:
		return OnEchoV5(e5), nil
	}
	return Router{}, errors.Join(ErrNoRouter, errors.New("provide an *echo.Echo (github.com/labstack/echo/v4 or /v5), or a healthfx.Router (OnEcho, OnEchoV5, OnServeMux) for a group, an admin server or an http.ServeMux"))
}
