package checks

import "errors"

// errPermanent matches, under errors.Is, every error marked with
// Permanent.
var errPermanent = errors.New("permanent failure")

// Permanent marks err as a failure that waiting will not cure (the
// database does not exist, the password is wrong): the lifecycle
// package's startup gate stops at once on a permanent failure of a check it
// waits for, instead of retrying until its budget is spent. Return it as a
// Report's Err (or set Report.Permanent). The result is err for Error,
// errors.Is, errors.As and SafeMessage, and also satisfies IsPermanent. A
// nil err gives nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool { return errors.Is(err, errPermanent) }

type permanentError struct{ err error }

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() error        { return e.err }
func (e *permanentError) Is(target error) bool { return target == errPermanent }
