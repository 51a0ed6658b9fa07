package testutil

import (
	"os"
	"slices"
	"testing"
	"time"
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
	p := startShell(t, "sleep 30 & sleep 30 & wait")
	var kids []int
	deadline := time.Now().Add(5 * time.Second)
	for len(kids) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("children of %d = %v, want 2", p.pid(), kids)
		}
		time.Sleep(5 * time.Millisecond)
		kids = childPIDs(p.pid())
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
	for _, pid := range stopped {
		deadline := time.Now().Add(5 * time.Second)
		for {
			state, _, err := procStat(pid)
			if err != nil || state != 'T' {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pid %d still stopped after continueTree", pid)
			}
			time.Sleep(time.Millisecond)
		}
	}
}
