package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func startShell(t *testing.T, script string) *process {
	t.Helper()
	return startShellIn(t, t.TempDir(), script)
}

// startShellIn is startShell with dir as the working directory.
func startShellIn(t *testing.T, dir, script string) *process {
	t.Helper()
	p, err := startProcess(procSpec{
		path:    "/bin/sh",
		args:    []string{"-c", script},
		dir:     dir,
		logPath: filepath.Join(dir, "out.log"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	return p
}

// readyFIFO makes the FIFO "ready" in dir, for a shell started there to
// announce a point of its script with "echo > ready", and returns a function
// that waits (at most 5 s) for that announcement.
func readyFIFO(t *testing.T, dir string) (wait func()) {
	t.Helper()
	path := filepath.Join(dir, "ready")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		// Read and write: the open does not wait for the shell, and the
		// read does not see EOF before the shell has written.
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Read(make([]byte, 1)); err != nil {
			t.Fatalf("the shell did not announce itself: %v", err)
		}
	}
}

func TestProcessLogsAndStops(t *testing.T) {
	dir := t.TempDir()
	ready := readyFIFO(t, dir)
	p := startShellIn(t, dir, "echo first; echo second >&2; echo > ready; exec sleep 30")
	ready()
	if got := p.logTail(); !strings.Contains(got, "second") {
		t.Errorf("log tail %q lacks the child's output", got)
	}
	if got := p.logTail(); !strings.Contains(got, "first") {
		t.Errorf("log tail %q lacks stdout", got)
	}
	if p.exited() {
		t.Fatal("exited too early")
	}
	if err := p.signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !p.wait(5 * time.Second) {
		t.Fatal("did not exit on SIGTERM")
	}
	if err := p.signal(syscall.SIGTERM); err != nil {
		t.Errorf("signal after exit = %v, want nil", err)
	}
}

func TestProcessOwnProcessGroup(t *testing.T) {
	p := startShell(t, "exec sleep 30")
	pgid, err := syscall.Getpgid(p.pid())
	if err != nil {
		t.Fatal(err)
	}
	if pgid != p.pid() {
		t.Errorf("pgid = %d, want the child's own pid %d", pgid, p.pid())
	}
}

func TestLogTailKeepsLastLines(t *testing.T) {
	p := startShell(t, "i=0; while [ $i -lt 100 ]; do echo line$i; i=$((i+1)); done")
	if !p.wait(5 * time.Second) {
		t.Fatal("shell did not finish")
	}
	lines := strings.Split(p.logTail(), "\n")
	if len(lines) != 30 || lines[0] != "line70" || lines[29] != "line99" {
		t.Fatalf("tail = %d lines %q..%q, want line70..line99", len(lines), lines[0], lines[len(lines)-1])
	}
}
