package service

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// signals watches SIGINT and SIGTERM: the first one ends ctx, for a clean
// stop; the ones after it arrive on more, for a stop at once.
type signals struct {
	ctx   context.Context // done once the first signal arrived
	first os.Signal       // the first signal; read it after ctx is done
	more  chan os.Signal
	done  chan struct{}
}

// watchSignals starts watching; stop ends it.
func watchSignals() *signals {
	ctx, cancel := context.WithCancel(context.Background())
	s := &signals{ctx: ctx, more: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(s.more, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-s.more:
			s.first = sig
			cancel()
		case <-s.done:
			cancel()
		}
	}()
	return s
}

// stop restores the default handling: a signal from now on ends the
// process as the runtime does.
func (s *signals) stop() {
	signal.Stop(s.more)
	close(s.done)
}

// exitCode is the shell's convention for a process ended by sig: 128 plus
// the signal's number (130 for SIGINT, 143 for SIGTERM).
func exitCode(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}
