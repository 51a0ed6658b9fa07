package lifecycle

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCallReturnsError(t *testing.T) {
	want := errors.New("boom")
	afterRan := false
	err := call(context.Background(), func(context.Context) error { return want }, func() { afterRan = true })
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	if !afterRan {
		t.Fatal("after did not run before call returned")
	}
}

func TestCallRecoversPanic(t *testing.T) {
	err := call(context.Background(), func(context.Context) error { panic("oops") }, nil)
	if err == nil || !strings.Contains(err.Error(), "panic: oops") {
		t.Fatalf("err = %v, want a panic error", err)
	}
}

func TestCallAbandonsAtContextEnd(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	afterDone := make(chan struct{})
	started := make(chan struct{})
	go func() {
		<-started
		cancel()
	}()
	err := call(ctx, func(context.Context) error {
		close(started)
		<-release // ignores ctx
		return nil
	}, func() { close(afterDone) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	close(release)
	<-afterDone // the abandoned goroutine ends once fn returns
}
