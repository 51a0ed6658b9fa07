package deprules_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestPgstoreLayers: package pgstore imports checks of ours, pgx/v5 and the
// standard library only: the store sits beside alerting and promhealth, and
// a service that turns it on compiles no other driver.
func TestPgstoreLayers(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	const mod = "github.com/echofx/healthcheck/"
	cmd := exec.Command(goBin, "list", "-f", `{{range .Imports}}{{.}} {{end}}`, "./pgstore")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./pgstore: %v", err)
	}
	imports := strings.Fields(string(out))
	if len(imports) == 0 {
		t.Fatal("go list ./pgstore listed no import")
	}
	for _, imp := range imports {
		ours := strings.HasPrefix(imp, mod)
		third := !ours && strings.Contains(strings.Split(imp, "/")[0], ".")
		if ours && imp != mod+"checks" || third && !strings.HasPrefix(imp, "github.com/jackc/pgx/v5") {
			t.Errorf("pgstore imports %s: only checks of ours, pgx/v5 and the standard library", imp)
		}
	}
}
