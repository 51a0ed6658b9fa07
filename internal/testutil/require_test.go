package testutil

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// recordingTB captures Skip and Fatal instead of acting on them.
type recordingTB struct {
	testing.TB
	skipped, fataled string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Skip(args ...any) {
	r.skipped = strings.TrimSpace(fmt.Sprint(args...))
	runtime.Goexit()
}
func (r *recordingTB) Fatal(args ...any) {
	r.fataled = strings.TrimSpace(fmt.Sprint(args...))
	runtime.Goexit()
}

// runTB runs f on its own goroutine, as testing does, so Goexit ends only f.
func runTB(r *recordingTB, f func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func TestMissingDependency(t *testing.T) {
	t.Setenv(RequireDBEnv, "")
	r := &recordingTB{TB: t}
	runTB(r, func(tb testing.TB) { missingDependency(tb, "no server") })
	if !strings.HasPrefix(r.skipped, "no server") || !strings.Contains(r.skipped, RequireDBEnv+"=1") || r.fataled != "" {
		t.Errorf("without %s: skipped %q, fataled %q; want a skip", RequireDBEnv, r.skipped, r.fataled)
	}

	t.Setenv(RequireDBEnv, "1")
	if !RequireDB() {
		t.Fatal("RequireDB() = false with the variable set to 1")
	}
	r = &recordingTB{TB: t}
	runTB(r, func(tb testing.TB) { missingDependency(tb, "no server") })
	if r.fataled != "no server" || r.skipped != "" {
		t.Errorf("with %s=1: skipped %q, fataled %q; want a failure", RequireDBEnv, r.skipped, r.fataled)
	}
}

func TestLaunchDirIsRemoved(t *testing.T) {
	var dir string
	t.Run("inner", func(t *testing.T) {
		dir = launchDir(t, "testutil-")
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Fatalf("launchDir: %v", err)
		}
	})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after cleanup: %v", dir, err)
	}
}
