package checks

import "errors"

// ErrPermanent matches, under errors.Is, every error marked with
// Permanent; lifecycle's startup gate also uses it as its failure's Cause
// when a check failed permanently.
var ErrPermanent = errors.New("permanent failure")

// Permanent marks err as a failure that waiting will not cure (the
// database does not exist, the password is wrong): the lifecycle
// package's startup gate stops at once on a permanent failure of a check it
// waits for, instead of retrying until its budget is spent. Return it as a
// Report's Err (or set Report.Permanent). The result is err for Error,
// errors.Is, errors.As and SafeMessage, and also matches ErrPermanent. A
// nil err gives nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

type permanentError struct{ err error }

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() error        { return e.err }
func (e *permanentError) Is(target error) bool { return target == ErrPermanent }
