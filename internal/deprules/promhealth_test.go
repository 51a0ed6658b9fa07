package deprules_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPromhealthLayers: package promhealth imports checks of ours,
// Prometheus's client_golang and the standard library only, so that a
// plain-Go service exports its health metrics without fx, Echo or pgx.
func TestPromhealthLayers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	const mod = "github.com/echofx/healthcheck/"
	cmd := exec.Command(goBin, "list", "-f", `{{range .Imports}}{{.}} {{end}}`, "./promhealth")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./promhealth: %v", err)
	}
	imports := strings.Fields(string(out))
	if len(imports) == 0 {
		t.Fatal("go list ./promhealth listed no import")
	}
	for _, imp := range imports {
		ours := strings.HasPrefix(imp, mod)
		thirdParty := !ours && strings.Contains(strings.Split(imp, "/")[0], ".")
		if ours && imp != mod+"checks" || thirdParty && !strings.HasPrefix(imp, "github.com/prometheus/client_golang/") {
			t.Errorf("promhealth imports %s: only checks of ours, client_golang and the standard library", imp)
		}
	}
}
