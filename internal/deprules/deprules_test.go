package deprules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are the module path prefixes that only nested modules may need.
var forbidden = []string{
	"google.golang.org/grpc",
	"google.golang.org/genproto",
	"go.opentelemetry.io/",
	"github.com/redis/go-redis",
}

func isForbidden(path string) bool {
	for _, p := range forbidden {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The packages of the main module, healthfx first, import none of them.
func TestMainModulePackagesImportNone(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	for _, pattern := range []string{"github.com/echofx/healthcheck/healthfx", "./..."} {
		cmd := exec.Command(goBin, "list", "-deps", "-test", pattern)
		cmd.Dir = root(t)
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pattern, err)
		}
		pkgs := strings.Fields(string(out))
		if len(pkgs) < 10 {
			t.Fatalf("go list -deps %s listed %d packages: %q", pattern, len(pkgs), out)
		}
		for _, p := range pkgs {
			if isForbidden(p) {
				t.Errorf("go list -deps -test %s includes %s: only the nested modules may need it", pattern, p)
			}
		}
	}
}

// The main go.mod and go.sum name none of them.
func TestMainGoModNamesNone(t *testing.T) {
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(root(t), f))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			for _, field := range strings.Fields(line) {
				if isForbidden(field) {
					t.Errorf("%s names %s: %q", f, field, line)
				}
			}
		}
	}
}

// Each nested module is its own module, so ./... of the main module skips it.
func TestNestedModulesHaveGoMod(t *testing.T) {
	for _, m := range []string{"grpchealth", "otelhealth", "redishealth"} {
		b, err := os.ReadFile(filepath.Join(root(t), m, "go.mod"))
		if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		if !strings.Contains(string(b), "module github.com/echofx/healthcheck/"+m+"\n") {
			t.Errorf("%s/go.mod does not declare module github.com/echofx/healthcheck/%s", m, m)
		}
	}
}

// internal/testutil, which the nested modules' tests import, compiles no
// browser driver: chromedp stays in internal/testutil/browser, so the
// nested modules never need it in their go.mod.
func TestTestutilCompilesNoBrowserDriver(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", "./internal/testutil")
	cmd.Dir = root(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./internal/testutil: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/chromedp/") {
			t.Errorf("internal/testutil compiles %s", p)
		}
	}
}
