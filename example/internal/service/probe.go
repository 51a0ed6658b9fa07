package service

import (
	"io"
	"os"
	"strings"
	"time"

	"github.com/echofx/healthcheck/probe"
)

// DefaultProbeURL is the public route of a service on the default port,
// what the probe targets without a URL or HTTP_ADDR.
const DefaultProbeURL = "http://127.0.0.1:8788/healthcheck/"

// ProbeTimeout bounds the whole probe, below Docker's and Kubernetes'
// usual 5 s probe timeout (package probe's default too).
const ProbeTimeout = 3 * time.Second

// runProbe answers "example probe [URL|/path]" with package probe: the
// service's own address (HTTP_ADDR, else :8788) and public route
// (HEALTH_PATH_PREFIX, else /healthcheck) by default.
func runProbe(args []string, out io.Writer) (code int, handled bool) {
	opts := []probe.Option{probe.WithOutput(out), probe.WithTimeout(ProbeTimeout)}
	if prefix, ok := os.LookupEnv("HEALTH_PATH_PREFIX"); ok {
		opts = append(opts, probe.WithPath(strings.TrimRight(strings.TrimSpace(prefix), "/")+"/"))
	}
	return probe.Handle(args, opts...)
}
