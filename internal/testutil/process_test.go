package testutil

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func startShell(t *testing.T, script string) *process {
	t.Helper()
	dir := t.TempDir()
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

func TestProcessLogsAndStops(t *testing.T) {
	p := startShell(t, "echo first; echo second >&2; exec sleep 30")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.logTail(), "second") {
		if time.Now().After(deadline) {
			t.Fatalf("log tail %q lacks the child's output", p.logTail())
		}
		time.Sleep(5 * time.Millisecond)
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
