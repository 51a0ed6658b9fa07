package deprules_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAlertingLayers: package alerting imports checks (and the internal
// secret rule) of ours and the
// standard library only, so that a plain-Go service pushes alerts without
// fx, Echo or Prometheus.
func TestAlertingLayers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	const mod = "github.com/echofx/healthcheck/"
	cmd := exec.Command(goBin, "list", "-f", `{{range .Imports}}{{.}} {{end}}`, "./alerting")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./alerting: %v", err)
	}
	imports := strings.Fields(string(out))
	if len(imports) == 0 {
		t.Fatal("go list ./alerting listed no import")
	}
	for _, imp := range imports {
		if strings.HasPrefix(imp, mod) && imp != mod+"checks" && imp != mod+"internal/secret" || !strings.HasPrefix(imp, mod) && strings.Contains(strings.Split(imp, "/")[0], ".") {
			t.Errorf("alerting imports %s: only checks of ours and the standard library", imp)
		}
	}
}
