// Package adaptertest holds the one route suite that runs against every
// router the health routes mount on: http.ServeMux (httphealth.Mount),
// Echo v4 (echohealth) on an *echo.Echo and an *echo.Group, and Echo v5
// (echov5health) on both. It has no code of its own; its tests are the
// suite.
package adaptertest
