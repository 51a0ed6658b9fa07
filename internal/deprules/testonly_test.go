package deprules_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// testOnly are modules that only tests may import: no package of the
// module, as a user compiles it, depends on them.
var testOnly = []string{
	"github.com/Shopify/toxiproxy", // internal/faults' fault proxy
	"github.com/rs/zerolog",        // its logger
}

// Toxiproxy (and its logger) are imported by _test.go files alone, so no
// user of the module compiles them; internal/faults, which holds the fault
// tests, has no package code importing them.
func TestTestOnlyModules(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", "./...")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 10 {
		t.Fatalf("go list -deps ./... listed %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, m := range testOnly {
			if strings.HasPrefix(p, m) {
				t.Errorf("go list -deps ./... includes %s: only _test.go files may import %s", p, m)
			}
		}
	}
}
