package adaptertest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	okJSON           = `{"status":"success","data":{"health":"ok"}}`
	degradedJSON     = `{"status":"success","data":{"health":"degraded"}}`
	unauthorizedJSON = `{"status":"error","error":"unauthorized"}`
	testIssuer       = "https://issuer.example"
	testAudience     = "healthcheck"
)

var testSecret = []byte("k3y-for-the-route-suite-0123456789abcdef")

func jwtConfig() httphealth.JWTConfig {
	return httphealth.JWTConfig{Secret: testSecret, Issuer: testIssuer, Audience: testAudience}
}

func validToken() string {
	return testutil.MintHS256(testSecret, testutil.ValidClaims(testIssuer, testAudience, time.Hour))
}

// newRunner returns a runner with cs registered, closed at cleanup.
func newRunner(t testing.TB, cs ...checks.Check) *checks.Runner {
	t.Helper()
	r := checks.NewRunner()
	must(t, r.Register(cs...))
	t.Cleanup(r.Close)
	return r
}

// fixed returns a check Func that reports s with msg.
func fixed(s checks.Status, msg string) checks.Func {
	return func(context.Context) checks.Report { return checks.Report{Status: s, Message: msg} }
}

// do serves one request through h.
func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// readiness is a settable httphealth.Readiness.
type readiness struct {
	ready  bool
	reason string
}

func (r *readiness) Readiness() (bool, string) { return r.ready, r.reason }
