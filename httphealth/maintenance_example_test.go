package httphealth_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/lifecycle"
)

// One replica out of rotation, on purpose: a token carrying the scope
// health:maintenance posts a window to {prefix}/maintenance; /ready then
// answers 503 "maintenance" while /live stays 200. A token without the
// scope gets 403.
func ExampleMaintainer() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error { return nil })})
	lc, _ := lifecycle.New(runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(slog.New(slog.DiscardHandler)))
	_ = lc.Start(context.Background())
	defer lc.Stop(context.Background())

	secret := []byte("an-example-secret-of-32-bytes-at-least")
	auth, _ := httphealth.NewJWT(httphealth.JWTConfig{Secret: secret})
	h, _ := httphealth.New(runner, httphealth.WithDetailed(auth), httphealth.WithReadiness(lc)) // lc is the Maintainer
	mux := http.NewServeMux()
	_ = h.Mount(mux)

	token := func(scope string) string {
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": "alice", "scope": scope, "exp": time.Now().Add(time.Minute).Unix(),
		}).SignedString(secret)
		return "Bearer " + s
	}
	send := func(method, path, auth, body string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(method, path, rec.Code, strings.Split(rec.Body.String(), `,"since"`)[0])
	}
	send("POST", "/healthcheck/maintenance", token("openid"), `{"reason":"disk swap","for":"30m"}`)
	send("POST", "/healthcheck/maintenance", token("openid "+httphealth.MaintenanceScope), `{"reason":"disk swap","for":"30m"}`)
	send("GET", "/healthcheck/ready", "", "")
	send("GET", "/healthcheck/live", "", "")
	send("DELETE", "/healthcheck/maintenance", token(httphealth.MaintenanceScope), "")
	send("GET", "/healthcheck/ready", "", "")
	// Output:
	// POST /healthcheck/maintenance 403 {"status":"error","error":"forbidden"}
	// POST /healthcheck/maintenance 200 {"active":true,"reason":"disk swap","by":"alice"
	// GET /healthcheck/ready 503 {"status":"error","error":"maintenance"}
	// GET /healthcheck/live 200 {"status":"success","data":{"health":"ok"}}
	// DELETE /healthcheck/maintenance 200 {"active":false}
	// GET /healthcheck/ready 200 {"status":"success","data":{"health":"ok"}}
}

// An app's own Authenticator grants the maintenance scope by implementing
// ScopeAuthorizer; the subject it returns is the window's "by".
type opsAuth struct{}

func (opsAuth) Authenticate(r *http.Request) error {
	if r.Header.Get("X-Ops-Key") != "k" {
		return httphealth.ErrUnauthorized
	}
	return nil
}

func (opsAuth) AuthorizeScope(r *http.Request, scope string) (string, error) {
	if scope != httphealth.MaintenanceScope {
		return "", httphealth.ErrUnauthorized
	}
	return "ops-console", nil
}

var _ httphealth.ScopeAuthorizer = opsAuth{}
