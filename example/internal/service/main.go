// Package service is the example service without its router: the fx app,
// the embedded PostgreSQL, the checks, the HTTP server and the probe. The
// Echo v4 example (package example) and the Echo v5 one (example/echov5)
// each add their Echo and run Main.
package service

import (
	"fmt"
	"io"

	"go.uber.org/fx"
)

// Main runs the service, or its probe subcommand (args[1] == "probe"), and
// returns the exit code. web provides the app's Echo; its constructor
// calls Listen.
func Main(args []string, stdout, stderr io.Writer, web fx.Option) int {
	if code, handled := runProbe(args, stdout); handled {
		return code
	}
	if len(args) > 1 {
		fmt.Fprintf(stderr, "usage: %s [probe [URL]]\n", args[0])
		return 2
	}
	return serve(web)
}
