package testutil

import (
	"os"
	"slices"
	"testing"
)

func TestProcStatSelf(t *testing.T) {
	state, ppid, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if ppid != os.Getppid() {
		t.Errorf("ppid = %d, want %d", ppid, os.Getppid())
	}
	if state == 0 {
		t.Error("empty state")
	}
}

func TestStopAndContinueTree(t *testing.T) {
	dir := t.TempDir()
	ready := readyFIFO(t, dir)
	p := startShellIn(t, dir, "sleep 30 & sleep 30 & echo > ready; wait")
	ready() // both children forked
	if kids := childPIDs(p.pid()); len(kids) != 2 {
		t.Fatalf("children of %d = %v, want 2", p.pid(), kids)
	}
	if !slices.Contains(childPIDs(os.Getpid()), p.pid()) {
		t.Errorf("childPIDs(self) lacks %d", p.pid())
	}

	stopped, err := stopTree(p.pid())
	if err != nil {
		t.Fatal(err)
	}
	if len(stopped) != 3 {
		t.Fatalf("stopped %v, want the shell and its 2 children", stopped)
	}
	for _, pid := range stopped {
		if state, _, _ := procStat(pid); state != 'T' {
			t.Errorf("pid %d state %c, want T", pid, state)
		}
	}

	continueTree(p.pid(), stopped)
	// SIGCONT wakes a stopped process before kill(2) returns.
	for _, pid := range stopped {
		if state, _, err := procStat(pid); err == nil && state == 'T' {
			t.Errorf("pid %d still stopped after continueTree", pid)
		}
	}
}
