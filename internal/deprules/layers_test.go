package deprules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The arrows of the house point down: checks, the model, imports nothing of
// ours but its internal trendwin and the accessor hook internal/checkview,
// and no third-party module but golang.org/x; each integration package
// under checks imports only checks (and checks' internal helpers) of ours,
// downstream also the hook (it marks its checks through it).
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
				if ours && imp != mod+"checks/internal/trendwin" && imp != mod+"internal/checkview" || strings.Contains(imp, ".") && !ours && !strings.HasPrefix(imp, "golang.org/x/") {
					t.Errorf("%s imports %s: the model imports nothing of ours and no driver", pkg, imp)
				}
			case pkg == mod+"checks/downstream" && imp == mod+"internal/checkview":
			case ours && imp != mod+"checks" && !strings.HasPrefix(imp, mod+"checks/internal/"):
				t.Errorf("%s imports %s: an integration imports only checks of ours", pkg, imp)
			}
		}
	}
}

// checkviewUsers are the only packages that may import internal/checkview,
// the hook through which checks lends its unexported readers (see
// docs/design.md): the model that fills it, the integration that marks its
// checks through it, and the routes that read through it.
var checkviewUsers = map[string]bool{
	"checks":             true,
	"checks/downstream":  true,
	"httphealth":         true,
	"grpchealth":         true,
	"internal/checkview": true,
}

// TestCheckviewUsers: no other package of the main module or of the nested
// modules (tests included) imports internal/checkview.
func TestCheckviewUsers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	const mod = "github.com/echofx/healthcheck/"
	for _, dir := range []string{".", "grpchealth", "otelhealth", "redishealth"} {
		cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...")
		cmd.Dir = filepath.Join(root(t), dir)
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list ./... in %s: %v", dir, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			pkg := strings.TrimPrefix(f[0], mod)
			if checkviewUsers[pkg] {
				continue
			}
			for _, imp := range f[1:] {
				if imp == mod+"internal/checkview" {
					t.Errorf("%s imports internal/checkview: only %v may", f[0], checkviewUsers)
				}
			}
		}
	}
}
