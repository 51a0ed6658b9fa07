package lifecycle_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/lifecycle"
)

func TestStartupErrorMatchesSentinelAndCause(t *testing.T) {
	var err error = &lifecycle.StartupError{
		Checks: []lifecycle.FailedCheck{
			{Name: "postgres", Attempts: 5, Message: "connection refused"},
			{Name: "redis", Attempts: 1, Message: "timeout"},
		},
		Cause: lifecycle.ErrAttemptsExhausted,
	}
	if !errors.Is(err, lifecycle.ErrStartupFailed) {
		t.Error("errors.Is(err, ErrStartupFailed) = false")
	}
	if !errors.Is(err, lifecycle.ErrAttemptsExhausted) {
		t.Error("errors.Is(err, cause) = false")
	}
	if errors.Is(err, context.Canceled) {
		t.Error("matches an unrelated error")
	}
	want := "lifecycle: startup checks failed (attempts exhausted): postgres (5 attempts): connection refused; redis (1 attempt): timeout"
	if got := err.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}

	wrapped := errors.Join(errors.New("fx"), err)
	var se *lifecycle.StartupError
	if !errors.As(wrapped, &se) || len(se.Checks) != 2 {
		t.Error("errors.As through a wrapper failed")
	}
}

func TestStartupErrorWithoutCause(t *testing.T) {
	err := &lifecycle.StartupError{Checks: []lifecycle.FailedCheck{{Name: "db", Attempts: 2}}}
	if !errors.Is(err, lifecycle.ErrStartupFailed) {
		t.Error("errors.Is(err, ErrStartupFailed) = false")
	}
	if got := err.Error(); !strings.HasSuffix(got, ": db (2 attempts)") {
		t.Errorf("Error() = %q", got)
	}
}
