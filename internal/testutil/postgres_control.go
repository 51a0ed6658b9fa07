package testutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// startLocked starts the postmaster on p.port and waits until it is ready.
func (p *Postgres) startLocked() error {
	args := []string{
		"-D", p.dataDir,
		"-p", strconv.Itoa(p.port),
		"-k", p.sockDir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "track_counts=on",
		"-c", "track_activities=on",
	}
	if p.pgss {
		args = append(args, "-c", "shared_preload_libraries=pg_stat_statements")
	}
	proc, err := startProcess(procSpec{
		path:     filepath.Join(p.binDir, "postgres"),
		args:     args,
		dir:      p.root,
		logPath:  p.logPath,
		cred:     p.cred,
		deathSig: syscall.SIGQUIT, // immediate shutdown if the test binary dies
	})
	if err != nil {
		return err
	}
	if err := p.waitReady(proc); err != nil {
		if !proc.exited() {
			_ = proc.signal(syscall.SIGQUIT)
			if !proc.wait(5 * time.Second) {
				proc.kill()
			}
		}
		return fmt.Errorf("%w\nserver log (%s):\n%s", err, p.logPath, proc.logTail())
	}
	p.proc = proc
	return nil
}

func (p *Postgres) waitReady(proc *process) error {
	ctx, cancel := context.WithTimeout(context.Background(), pgReadyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attempt, p.superuserDSN(pgSuperuser))
		if err == nil {
			err = conn.Close(attempt)
			cancelAttempt()
			return err
		}
		cancelAttempt()
		select {
		case <-proc.done:
			return fmt.Errorf("testutil: postgres exited during startup: %v", proc.err)
		case <-ctx.Done():
			return fmt.Errorf("testutil: postgres not ready after %v: %w", pgReadyTimeout, err)
		case <-tick.C:
		}
	}
}

// Stop shuts the server down with a fast shutdown (SIGINT: open sessions are
// terminated) and waits for the postmaster to exit, escalating to an
// immediate shutdown and then SIGKILL of our own processes after 30s. A
// paused server is resumed first. Stopping a stopped server does nothing.
// Connections fail with "connection refused" until Start.
func (p *Postgres) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopLocked()
}

func (p *Postgres) stopLocked() error {
	proc := p.proc
	if proc == nil {
		return nil
	}
	p.resumeLocked()
	p.proc = nil
	_ = proc.signal(syscall.SIGINT)
	if proc.wait(pgStopTimeout) {
		if proc.err != nil {
			return fmt.Errorf("testutil: postgres exited: %w\n%s", proc.err, proc.logTail())
		}
		return nil
	}
	_ = proc.signal(syscall.SIGQUIT)
	if !proc.wait(5 * time.Second) {
		proc.kill()
	}
	return fmt.Errorf("testutil: postgres did not stop within %v\n%s", pgStopTimeout, proc.logTail())
}

// Start restarts a stopped server on the same port and data directory and
// waits until it accepts connections. Starting a running server does
// nothing; starting a closed one is an error.
func (p *Postgres) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("testutil: postgres is closed")
	}
	if p.proc != nil {
		return nil
	}
	return p.startLocked()
}

// Pause freezes the server with SIGSTOP: first the postmaster, then every
// process it has forked (backends and auxiliary processes). Afterwards TCP
// connects still complete (the kernel accepts them) but nothing answers, as
// with a hung database; queries in open sessions block too. Pause returns
// once all of them are stopped. Pausing a paused server does nothing.
func (p *Postgres) Pause() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.proc == nil {
		return errors.New("testutil: postgres is not running")
	}
	if p.paused != nil {
		return nil
	}
	stopped, err := stopTree(p.proc.pid())
	p.paused = stopped
	if err != nil {
		p.resumeLocked()
		return err
	}
	return nil
}

// Resume continues every process Pause stopped, and any child of the
// postmaster, with SIGCONT. Resuming a server that is not paused does
// nothing.
func (p *Postgres) Resume() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resumeLocked()
	return nil
}

func (p *Postgres) resumeLocked() {
	if p.paused == nil || p.proc == nil {
		p.paused = nil
		return
	}
	if !p.proc.exited() {
		continueTree(p.proc.pid(), p.paused)
	}
	p.paused = nil
}

// Close resumes and stops the server, then removes the directory it created
// under PostgresOptions.Dir. It is idempotent.
func (p *Postgres) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	err := p.stopLocked()
	for _, dir := range []string{p.root, p.extraDir} {
		if dir != "" {
			err = errors.Join(err, os.RemoveAll(dir))
		}
	}
	return err
}
