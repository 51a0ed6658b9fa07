package deprules_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// house is docs/design.md's table: for every package of the main module
// (the example's aside), what it may import of ours and which third-party
// module paths. A package missing from the table fails the test, so a new
// package takes its place in the house in the commit that adds it.
var house = map[string]struct{ ours, third []string }{
	"checks":                      {ours: []string{"checks/internal/trendwin", "internal/checkview"}, third: []string{"golang.org/x/"}},
	"checks/internal/trendwin":    {},
	"checks/internal/checkutil":   {ours: []string{"checks"}},
	"checks/internal/report":      {ours: []string{"checks"}},
	"checks/downstream":           {ours: []string{"checks", "checks/internal/", "internal/checkview"}},
	"checks/httpcheck":            {ours: []string{"checks", "checks/internal/"}},
	"checks/pgcheck":              {ours: []string{"checks", "checks/internal/"}, third: []string{"github.com/jackc/pgx/"}},
	"checks/redischeck":           {ours: []string{"checks", "checks/internal/"}},
	"checks/sqlcheck":             {ours: []string{"checks", "checks/internal/"}},
	"checks/syscheck":             {ours: []string{"checks", "checks/internal/"}, third: []string{"golang.org/x/sys/"}},
	"checks/tcpcheck":             {ours: []string{"checks", "checks/internal/"}},
	"lifecycle":                   {ours: []string{"checks"}},
	"httphealth":                  {ours: []string{"checks", "internal/checkview", "internal/httpx", "internal/secret"}, third: []string{"github.com/golang-jwt/jwt/"}},
	"echohealth":                  {ours: []string{"checks", "httphealth", "internal/httpx"}, third: []string{"github.com/labstack/echo/v4/", "github.com/labstack/echo/v4"}},
	"echov5health":                {ours: []string{"checks", "httphealth", "internal/httpx"}, third: []string{"github.com/labstack/echo/v5/", "github.com/labstack/echo/v5"}},
	"alerting":                    {ours: []string{"checks", "internal/secret"}},
	"promhealth":                  {ours: []string{"checks"}, third: []string{"github.com/prometheus/client_golang/"}},
	"pgstore":                     {ours: []string{"checks"}, third: []string{"github.com/jackc/pgx/"}},
	"healthfx":                    {ours: []string{""}, third: []string{""}}, // the wiring: all of the above
	"probe":                       {},                                        // the standard library only
	"internal/checkview":          {},
	"internal/httpx":              {},
	"internal/secret":             {},
	"internal/testutil":           {ours: []string{"checks"}, third: []string{"github.com/golang-jwt/jwt/", "github.com/jackc/pgx/"}},
	"internal/testutil/browser":   {third: []string{"github.com/chromedp/"}},
	"internal/testutil/checktest": {ours: []string{"checks"}},
	// test-only packages: their package code imports nothing.
	"internal/adaptertest": {},
	"internal/browsertest": {},
	"internal/deprules":    {},
	"internal/faults":      {},
}

// TestHouse: every package's non-test imports follow the house table.
func TestHouse(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH")
	}
	const mod = "github.com/echofx/healthcheck/"
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	hasPrefix := func(s string, prefixes []string) bool {
		for _, p := range prefixes {
			// "a/" allows everything under a/, "" everything, "a" a alone
			// (or, for a third-party module path, its packages below).
			if s == p || strings.HasPrefix(s, p) && (p == "" || strings.HasSuffix(p, "/")) {
				return true
			}
		}
		return false
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := strings.TrimPrefix(f[0], mod)
		if pkg == "example" || strings.HasPrefix(pkg, "example/") {
			continue
		}
		rule, ok := house[pkg]
		if !ok {
			t.Errorf("%s is not in the house table (internal/deprules/house_test.go, docs/design.md)", pkg)
			continue
		}
		seen++
		for _, imp := range f[1:] {
			switch {
			case strings.HasPrefix(imp, mod):
				if !hasPrefix(strings.TrimPrefix(imp, mod), rule.ours) {
					t.Errorf("%s imports %s: of ours it may import only %q", pkg, imp, rule.ours)
				}
			case strings.Contains(strings.Split(imp, "/")[0], "."):
				if !hasPrefix(imp, rule.third) {
					t.Errorf("%s imports %s: beyond the standard library it may import only %q", pkg, imp, rule.third)
				}
			}
		}
	}
	if seen < len(house) {
		t.Errorf("go list ./... listed %d of the house's %d packages: remove the ones that are gone", seen, len(house))
	}
}
