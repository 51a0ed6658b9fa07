package main

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines and removes the example builds,
// so that a test run leaves nothing in the temporary directory.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		removeBuilds()
		os.Exit(code)
	}))
}
