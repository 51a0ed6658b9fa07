package checks

import (
	"errors"
	"fmt"
)

// Sentinel errors. Registration errors are *RegistrationError values that
// wrap one of these, so callers can test them with errors.Is.
var (
	// ErrInvalidCheck: a check without a name or a function, or with a
	// negative duration or threshold.
	ErrInvalidCheck = errors.New("invalid check")
	// ErrDuplicateCheck: two checks registered with one name.
	ErrDuplicateCheck = errors.New("duplicate check name")
	// ErrUnknownDependency: DependsOn names a check that is not registered.
	ErrUnknownDependency = errors.New("unknown dependency")
	// ErrDependencyCycle: DependsOn links form a cycle.
	ErrDependencyCycle = errors.New("dependency cycle")
	// ErrUnknownCheck: a lookup or run of a name that is not registered.
	ErrUnknownCheck = errors.New("unknown check")
	// ErrInvalidLevel: ParseLevel got an unknown level name.
	ErrInvalidLevel = errors.New("invalid level")
	// ErrClosed: the runner was closed.
	ErrClosed = errors.New("runner closed")
)

// RegistrationError is returned by Runner.Register. Check names the
// offending check; Err is one of the sentinels above; Detail explains.
type RegistrationError struct {
	Check  string
	Err    error
	Detail string
}

// Error implements error.
func (e *RegistrationError) Error() string {
	msg := fmt.Sprintf("checks: register %q: %v", e.Check, e.Err)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *RegistrationError) Unwrap() error { return e.Err }
