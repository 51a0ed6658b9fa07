package echohealth

import "github.com/labstack/echo/v4"

// Router is where Register adds its routes. Both *echo.Echo and
// *echo.Group satisfy it. Register only calls Add, with no middleware.
type Router interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

var (
	_ Router = (*echo.Echo)(nil)
	_ Router = (*echo.Group)(nil)
)
