package lifecycle

import (
	"context"
	"fmt"
)

// call runs fn(ctx) in its own goroutine, turning a panic into an error,
// and returns fn's error, or ctx's error as soon as ctx ends. A fn that
// ignores ctx is then abandoned: its goroutine ends when fn returns. after,
// if not nil, runs once fn has returned (even when abandoned), and before
// call returns fn's error.
func call(ctx context.Context, fn func(context.Context) error, after func()) error {
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() { done <- err }()
		if after != nil {
			defer after()
		}
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		err = fn(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		// Prefer fn's own result when it finished at the same moment.
		select {
		case err := <-done:
			return err
		default:
			return fmt.Errorf("abandoned: %w", context.Cause(ctx))
		}
	}
}
