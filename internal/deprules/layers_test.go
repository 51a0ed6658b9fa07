package deprules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

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
