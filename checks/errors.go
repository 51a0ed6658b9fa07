package checks

import (
	"errors"
	"fmt"
)

// Registration errors are *ConfigError values (matched by
// errors.Is(err, ErrInvalidConfig)) whose Err is one of these; no caller
// outside the package branches on which, so they stay unexported.
var (
	// errInvalidCheck: a check without a name or a function, or with a
	// negative duration or threshold.
	errInvalidCheck = errors.New("invalid check")
	// errDuplicateCheck: two checks registered with one name.
	errDuplicateCheck = errors.New("duplicate check name")
	// errUnknownDependency: DependsOn names a check that is not registered.
	errUnknownDependency = errors.New("unknown dependency")
	// errDependencyCycle: DependsOn links form a cycle.
	errDependencyCycle = errors.New("dependency cycle")
)

// Sentinel errors, for callers that branch on them.
var (
	// ErrUnknownCheck: a lookup or run of a name that is not registered.
	ErrUnknownCheck = errors.New("unknown check")
	// ErrClosed: the runner was closed.
	ErrClosed = errors.New("runner closed")
)

// registrationError is the *ConfigError of Register for check name, with
// err one of the registration sentinels above.
func registrationError(name string, err error, detail string) error {
	return &ConfigError{Package: "checks", Setting: fmt.Sprintf("Register %q", name), Reason: detail, Err: err}
}
