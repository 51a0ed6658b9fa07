package checks

import "context"

// FromFunc turns a plain function into a check Func, for business checks:
// nil means healthy; an error means unhealthy, shown through SafeMessage
// (return a SafeError, e.g. from NewSafeError, to choose the public text).
func FromFunc(fn func(ctx context.Context) error) Func {
	return func(ctx context.Context) Report {
		return Report{Err: fn(ctx)}
	}
}
