package echohealth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

func TestConfigError(t *testing.T) {
	err := error(&checks.ConfigError{Package: "echohealth", Setting: "Secret", Err: httphealth.ErrWeakKey, Reason: "HS256 needs at least 32 bytes, got 5"})
	if got, want := err.Error(), "echohealth: key too weak: Secret: HS256 needs at least 32 bytes, got 5"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, httphealth.ErrWeakKey) || errors.Is(err, httphealth.ErrNoKey) {
		t.Error("errors.Is does not follow Unwrap")
	}
	// Errors never echo key material.
	_, err = httphealth.NewJWT(httphealth.JWTConfig{Secret: []byte("tiny-secret-value")})
	if err == nil || strings.Contains(err.Error(), "tiny-secret-value") {
		t.Errorf("NewJWT error %v", err)
	}
}
