package deprules_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The arrows of the house point down: checks, the model, imports nothing of
// ours but its internal trendwin and no third-party module but golang.org/x;
// each integration package under checks imports only checks (and checks'
// internal helpers) of ours.
func TestChecksLayers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	const mod = "github.com/echofx/healthcheck/"
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./checks/...")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./checks/...: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 7 {
		t.Fatalf("go list ./checks/... listed %d packages", len(lines))
	}
	for _, line := range lines {
		f := strings.Fields(line)
		pkg, imports := f[0], f[1:]
		for _, imp := range imports {
			ours := strings.HasPrefix(imp, mod)
			switch {
			case pkg == mod+"checks" || pkg == mod+"checks/internal/trendwin":
				if ours && imp != mod+"checks/internal/trendwin" || strings.Contains(imp, ".") && !ours && !strings.HasPrefix(imp, "golang.org/x/") {
					t.Errorf("%s imports %s: the model imports nothing of ours and no driver", pkg, imp)
				}
			case ours && imp != mod+"checks" && !strings.HasPrefix(imp, mod+"checks/internal/"):
				t.Errorf("%s imports %s: an integration imports only checks of ours", pkg, imp)
			}
		}
	}
}
