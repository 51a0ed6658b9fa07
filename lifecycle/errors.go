package lifecycle

import (
	"errors"
	"fmt"
	"strings"
)

// ErrStartupFailed: the startup gate gave up. The error is a
// *StartupError; errors.Is(err, ErrStartupFailed) is true (healthfx's
// tests and callers of Gate branch on it).
var ErrStartupFailed = errors.New("startup checks failed")

// Errors no caller branches on (their text says what happened); tests
// match them.
var (
	// errAttemptsExhausted is a StartupError's Cause when a check still
	// failed after the maximum number of attempts.
	errAttemptsExhausted = errors.New("attempts exhausted")
	// errMaxWaitExceeded is a StartupError's Cause when the gate's overall
	// maximum wait left no room for another attempt.
	errMaxWaitExceeded = errors.New("maximum startup wait exceeded")
	// errAlreadyStarted is returned by a second call of Lifecycle.Start.
	errAlreadyStarted = errors.New("lifecycle: already started")
	// errStopped is returned by Lifecycle.Start once Stop has begun.
	errStopped = errors.New("lifecycle: stopped")
)

// FailedCheck is a check that did not pass the startup gate.
type FailedCheck struct {
	// Name is the check's name.
	Name string
	// Attempts is how many times the gate ran it.
	Attempts int
	// Message is the sanitized message of its last result (safe to show),
	// or the class of the error that kept the gate from getting one
	// ("timeout", "canceled").
	Message string
}

// StartupError is the error of a startup gate that gave up. It matches
// ErrStartupFailed and its Cause under errors.Is. It is a type (not only
// ErrStartupFailed) so that a caller can list the failing checks with
// errors.As (ExampleGate_failure).
type StartupError struct {
	// Checks lists every check still failing, sorted by name.
	Checks []FailedCheck
	// Cause says why the gate stopped: checks.ErrPermanent (a check the
	// gate waits for failed permanently, see checks.Permanent: waiting
	// would not help, so the gate stopped at once),
	// "attempts exhausted" (StartupConfig.MaxAttempts), "maximum startup
	// wait exceeded" (StartupConfig.MaxWait), context.Canceled (the
	// context, or Stop, canceled the gate), or context.DeadlineExceeded
	// (the context's deadline was reached or too near for another
	// attempt: the gate stops a little before it, so that this error, not
	// fx's timeout, is reported).
	Cause error
}

// Error names every failing check with its attempts and message, e.g.
//
//	lifecycle: startup checks failed (attempts exhausted): postgres (5 attempts): connection refused; redis (5 attempts): timeout
func (e *StartupError) Error() string {
	var b strings.Builder
	b.WriteString("lifecycle: ")
	b.WriteString(ErrStartupFailed.Error())
	if e.Cause != nil {
		fmt.Fprintf(&b, " (%v)", e.Cause)
	}
	for i, c := range e.Checks {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (%d attempt", c.Name, c.Attempts)
		if c.Attempts != 1 {
			b.WriteByte('s')
		}
		b.WriteByte(')')
		if c.Message != "" {
			b.WriteString(": ")
			b.WriteString(c.Message)
		}
	}
	return b.String()
}

// Unwrap returns ErrStartupFailed and the Cause, for errors.Is and
// errors.As.
func (e *StartupError) Unwrap() []error {
	if e.Cause == nil {
		return []error{ErrStartupFailed}
	}
	return []error{ErrStartupFailed, e.Cause}
}
