package healthfx_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// With fx.NopLogger nothing is printed, so app.Err() is what a newcomer
// reads: it is healthfx's own error, starting with "healthfx: " and the
// setting, on one line, not fx's chain of constructor names.
func TestAppErrReadsFirst(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		opts []fx.Option
		want string
	}{
		{"bad variable", map[string]string{"HEALTH_CHECK_TIMEOUT": "soon"}, nil,
			`healthfx: HEALTH_CHECK_TIMEOUT="soon": want a duration`},
		{"bad combination", map[string]string{"HEALTH_CHECK_DETAILED": "true"}, nil,
			"healthfx: HEALTH_JWT_SECRET: HEALTH_CHECK_DETAILED=true needs"},
		{"set in code", nil, []fx.Option{fx.Decorate(func(c *healthfx.Config) *healthfx.Config { c.FailureStatus = 418; return c })},
			"healthfx: Config.FailureStatus (set in code): want 500 or 503"},
		// A value set in code is named as the Config field, never as the
		// variable the environment did not set.
		{"combination set in code", nil, []fx.Option{healthfx.SetDefaults(func(c *healthfx.Config) { c.Detailed = true })},
			"healthfx: HEALTH_JWT_SECRET: Config.Detailed = true (set in code) needs HEALTH_JWT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quietEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			opts := append([]fx.Option{fx.NopLogger, fx.Provide(echo.New), healthfx.Module}, tt.opts...)
			// A root invoke using what the module provides, as apps do.
			opts = append(opts, fx.Invoke(func(*healthfx.Config) {}))
			err := fx.New(opts...).Err()
			msg := fmtErr(err)
			if !strings.HasPrefix(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("app.Err() = %q, want it to start with %q on one line", msg, tt.want)
			}
			var ce *checks.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("app.Err() is not a *ConfigError: %T", err)
			}
		})
	}
}

// The README's way to start: print app.Err() and exit 1.
func Example_appErr() {
	os.Setenv("HEALTH_CHECK_TIMEOUT", "soon")
	defer os.Unsetenv("HEALTH_CHECK_TIMEOUT")

	app := fx.New(fx.NopLogger, fx.Provide(echo.New), healthfx.Module)
	if err := app.Err(); err != nil {
		fmt.Println(err) // in main: fmt.Fprintln(os.Stderr, err); os.Exit(1)
		return
	}
	app.Run()
	// Output: healthfx: HEALTH_CHECK_TIMEOUT="soon": want a duration such as "5s", "1m" or plain seconds such as "30"
}
