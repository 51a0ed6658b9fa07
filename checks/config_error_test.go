package checks_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestConfigError(t *testing.T) {
	sentinel := errors.New("route already registered")
	for _, tc := range []struct {
		err  *checks.ConfigError
		want string
	}{
		{&checks.ConfigError{Package: "healthfx", Setting: "HEALTH_CHECK_TIMEOUT", Value: "soon", Reason: "want a duration"},
			`healthfx: HEALTH_CHECK_TIMEOUT="soon": want a duration`},
		{&checks.ConfigError{Package: "httphealth", Setting: "WithPrefix", Reason: "must start with /", Err: checks.ErrInvalidConfig},
			`httphealth: invalid configuration: WithPrefix: must start with /`},
		{&checks.ConfigError{Package: "echohealth", Err: sentinel, Reason: "GET /healthcheck/"},
			`echohealth: route already registered: GET /healthcheck/`},
		{&checks.ConfigError{Setting: "HEALTH_JWT_SECRET", Reason: "too short"}, `HEALTH_JWT_SECRET: too short`},
		{&checks.ConfigError{Setting: "HEALTH_GROUPS", Value: strings.Repeat("g", 70000), Reason: "bad name"},
			`HEALTH_GROUPS="` + strings.Repeat("g", 128) + `…": bad name`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		wrapped := fmt.Errorf("start: %w", tc.err)
		if !errors.Is(wrapped, checks.ErrInvalidConfig) {
			t.Errorf("%q: errors.Is(ErrInvalidConfig) = false", tc.want)
		}
		var ce *checks.ConfigError
		if !errors.As(wrapped, &ce) || ce != tc.err {
			t.Errorf("%q: errors.As did not find the *ConfigError", tc.want)
		}
		if tc.err.Err != nil && !errors.Is(wrapped, tc.err.Err) {
			t.Errorf("%q: errors.Is(its sentinel) = false", tc.want)
		}
	}
}
