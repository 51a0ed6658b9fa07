package httphealth_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// New refuses a bad setting with a *checks.ConfigError, and no route is
// ever served from a refused configuration.
func TestNewErrors(t *testing.T) {
	runner := newRunner(t)
	cases := []struct {
		name   string
		runner *checks.Runner
		opts   []httphealth.Option
	}{
		{"nil runner", nil, nil},
		{"prefix without slash", runner, []httphealth.Option{httphealth.WithPrefix("healthcheck")}},
		{"prefix with param", runner, []httphealth.Option{httphealth.WithPrefix("/:id/health")}},
		{"prefix with wildcard", runner, []httphealth.Option{httphealth.WithPrefix("/h*")}},
		{"failure status 418", runner, []httphealth.Option{httphealth.WithFailureStatus(418)}},
		{"failure status 200", runner, []httphealth.Option{httphealth.WithFailureStatus(200)}},
		{"unknown level", runner, []httphealth.Option{httphealth.WithLevel(checks.Level(7))}},
		{"nil authenticator", runner, []httphealth.Option{httphealth.WithDetailed(nil)}},
		{"nil *JWT", runner, []httphealth.Option{httphealth.WithDetailed((*httphealth.JWT)(nil))}},
		{"nil AuthenticatorFunc", runner, []httphealth.Option{httphealth.WithDetailed(httphealth.AuthenticatorFunc(nil))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := httphealth.New(tc.runner, tc.opts...)
			if !errors.Is(err, checks.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || ce.Package != "httphealth" || ce.Setting == "" {
				t.Fatalf("err %#v is not httphealth's *checks.ConfigError naming a setting", err)
			}
			if h != nil {
				t.Fatal("New returned handlers with its error")
			}
		})
	}
	if err := (&httphealth.Handlers{}).Mount(nil); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Fatalf("Mount(nil) = %v", err)
	}
}

// A nil *JWT (e.g. NewJWT's result after an ignored error) never serves
// a route unprotected: New refuses it, and its middleware denies.
func TestIgnoredJWTError(t *testing.T) {
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{})
	if err == nil {
		t.Fatal("NewJWT without key succeeded")
	}
	if _, err := httphealth.New(newRunner(t), httphealth.WithDetailed(auth)); err == nil {
		t.Fatal("New accepted a nil *JWT")
	}
	if rec := do(protected(auth.Middleware), http.MethodGet, "/"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("nil *JWT middleware answered %d", rec.Code)
	}
}

// A bad group is the group's own *checks.ConfigError (naming the group and
// the check at fault), wrapped with the option's name.
func TestNewGroupError(t *testing.T) {
	_, err := httphealth.New(newRunner(t), httphealth.WithGroups(checks.Group{Name: "core", Checks: []string{"nope"}}))
	var ce *checks.ConfigError
	if !errors.Is(err, checks.ErrInvalidConfig) || !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *checks.ConfigError", err)
	}
	if ce.Setting != `group "core"` || ce.Reason != `unknown check "nope"` {
		t.Errorf("ConfigError %+v, want the group and the unknown check", ce)
	}
	if want := `httphealth: WithGroups: checks: group "core": unknown check "nope"`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}
