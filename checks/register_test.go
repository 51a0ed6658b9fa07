package checks_test

import (
	"context"
	"errors"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestRegisterErrors(t *testing.T) {
	tests := []struct {
		name   string
		checks []checks.Check
		want   error
	}{
		{"empty name", []checks.Check{{Func: healthy}}, checks.ErrInvalidCheckForTest},
		{"nil func", []checks.Check{{Name: "a"}}, checks.ErrInvalidCheckForTest},
		{"space in name", []checks.Check{{Name: "a b", Func: healthy}}, checks.ErrInvalidCheckForTest},
		{"negative timeout", []checks.Check{{Name: "a", Func: healthy, Timeout: -1}}, checks.ErrInvalidCheckForTest},
		{"duplicate", []checks.Check{{Name: "a", Func: healthy}, {Name: "a", Func: healthy}}, checks.ErrDuplicateCheckForTest},
		{"unknown dependency", []checks.Check{{Name: "a", Func: healthy, DependsOn: []string{"b"}}}, checks.ErrUnknownDependencyForTest},
		{"self cycle", []checks.Check{{Name: "a", Func: healthy, DependsOn: []string{"a"}}}, checks.ErrDependencyCycleForTest},
		{"cycle", []checks.Check{
			{Name: "a", Func: healthy, DependsOn: []string{"b"}},
			{Name: "b", Func: healthy, DependsOn: []string{"c"}},
			{Name: "c", Func: healthy, DependsOn: []string{"a"}},
		}, checks.ErrDependencyCycleForTest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			err := r.Register(tt.checks...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Register: got %v, want %v", err, tt.want)
			}
			var ce *checks.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *ConfigError", err)
			}
			if len(r.Checks()) != 0 {
				t.Fatalf("a failed Register registered %d checks", len(r.Checks()))
			}
		})
	}
}

func TestRegisterDuplicateAcrossCalls(t *testing.T) {
	r := newRunner(t)
	if err := r.Register(checks.Check{Name: "a", Func: healthy}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(checks.Check{Name: "a", Func: healthy}); !errors.Is(err, checks.ErrDuplicateCheckForTest) {
		t.Fatalf("got %v", err)
	}
	if _, err := r.Check(context.Background(), "nope"); !errors.Is(err, checks.ErrUnknownCheck) {
		t.Fatalf("unknown check: got %v", err)
	}
}

func TestDefaults(t *testing.T) {
	r := newRunner(t)
	if err := r.Register(checks.Check{Name: "a", Func: healthy}); err != nil {
		t.Fatal(err)
	}
	c, ok := r.Lookup("a")
	if !ok {
		t.Fatal("not found")
	}
	if c.Timeout != checks.DefaultTimeout || c.TTL != checks.DefaultTTL || c.Interval != checks.DefaultInterval ||
		c.MaxStaleness != checks.DefaultInterval+checks.DefaultTimeout || c.FailureThreshold != 1 || c.SuccessThreshold != 1 {
		t.Fatalf("defaults not applied: %+v", c)
	}
}
