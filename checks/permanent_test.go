package checks_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestPermanent(t *testing.T) {
	cause := errors.New("no such database")
	err := fmt.Errorf("connect: %w", checks.Permanent(checks.NewSafeError("database missing", cause)))
	if !checks.IsPermanent(err) || !errors.Is(err, checks.ErrPermanent) || !errors.Is(err, cause) {
		t.Errorf("a wrapped Permanent error does not match ErrPermanent and its cause")
	}
	if checks.SafeMessage(err) != "database missing" {
		t.Errorf("SafeMessage = %q, want the wrapped error's", checks.SafeMessage(err))
	}
	if checks.IsPermanent(cause) || checks.Permanent(nil) != nil {
		t.Errorf("unmarked errors read permanent, or Permanent(nil) is not nil")
	}

	tests := []struct {
		name string
		rep  checks.Report
		want bool
	}{
		{"marked error", checks.Report{Err: checks.Permanent(cause)}, true},
		{"field", checks.Report{Status: checks.StatusUnhealthy, Permanent: true}, true},
		{"plain error", checks.Report{Err: cause}, false},
		{"not a failure", checks.Report{Status: checks.StatusDegraded, Permanent: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			rep := tt.rep
			if err := r.Register(checks.Check{Name: "c", Func: func(context.Context) checks.Report { return rep }}); err != nil {
				t.Fatal(err)
			}
			res, err := r.Refresh(context.Background(), "c")
			if err != nil {
				t.Fatal(err)
			}
			if res.Permanent != tt.want {
				t.Errorf("Result.Permanent = %v, want %v", res.Permanent, tt.want)
			}
		})
	}
}
