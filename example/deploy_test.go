package main

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"go.uber.org/fx"

	"github.com/echofx/healthcheck/internal/testutil"
)

// The deployment files, relative to the package directory (go test runs
// in example/).
var (
	deployKubernetes = filepath.Join("deploy", "kubernetes.yaml")
	deployDockerfile = filepath.Join("deploy", "Dockerfile")
	deployPromDir    = filepath.Join("deploy", "prometheus")
)

// The routes the manifests rely on, as served by echohealth.
const (
	deployLivePath    = "/healthcheck/live"
	deployReadyPath   = "/healthcheck/ready"
	deployStartupPath = "/healthcheck/startup"
)

// deployFxTimeout is fx's start and stop timeout. The example passes no
// fx.StartTimeout or fx.StopTimeout option (app.go), so both are fx's
// default: the startup gate must fit in the first, the drain and the
// cleanups in the second.
const deployFxTimeout = fx.DefaultTimeout

// deployDefaultPort is the port of the example's default HTTP_ADDR.
func deployDefaultPort(t *testing.T) int {
	t.Helper()
	_, p, err := net.SplitHostPort(defaultAddr)
	if err != nil {
		t.Fatalf("defaultAddr %q: %v", defaultAddr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("defaultAddr %q: %v", defaultAddr, err)
	}
	return port
}

// deployPromBinary returns the path of a Prometheus tool (promtool,
// prometheus), or skips the test without it; with HEALTHCHECK_REQUIRE_DB=1
// (CI, where every dependency must be present) it fails instead.
func deployPromBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if testutil.RequireDB() {
			t.Fatalf("%s not found (HEALTHCHECK_REQUIRE_DB=1): apt-get install prometheus", name)
		}
		t.Skipf("%s not found: apt-get install prometheus", name)
	}
	return p
}
