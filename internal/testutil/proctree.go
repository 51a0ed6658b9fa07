package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// childPIDs returns the direct children of ppid, read from /proc/*/stat.
// PostgreSQL backends call setsid, so they are not in the postmaster's
// process group; walking parent links is the only way to find exactly ours.
func childPIDs(ppid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		_, parent, err := procStat(pid)
		if err == nil && parent == ppid {
			kids = append(kids, pid)
		}
	}
	return kids
}

// procStat returns the state letter and parent pid of pid.
func procStat(pid int) (state byte, ppid int, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("testutil: malformed /proc/%d/stat", pid)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, fmt.Errorf("testutil: malformed /proc/%d/stat", pid)
	}
	ppid, err = strconv.Atoi(string(f[1]))
	return f[0][0], ppid, err
}

// stopPID sends SIGSTOP to pid and waits until the kernel reports it stopped.
// A process that no longer exists is not an error.
func stopPID(pid int) error {
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return fmt.Errorf("testutil: SIGSTOP %d: %w", pid, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		state, _, err := procStat(pid)
		if err != nil || state == 'T' || state == 'Z' || state == 'X' {
			return nil // stopped, or gone
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testutil: pid %d did not stop (state %c)", pid, state)
		}
		time.Sleep(time.Millisecond)
	}
}

// stopTree stops root and then its direct children, returning every pid it
// stopped so that they can be continued later. Stopping the parent first
// means it cannot fork new children while they are being collected.
func stopTree(root int) ([]int, error) {
	if err := stopPID(root); err != nil {
		return nil, err
	}
	stopped := []int{root}
	var errs []error
	for _, pid := range childPIDs(root) {
		if err := stopPID(pid); err != nil {
			errs = append(errs, err)
			continue
		}
		stopped = append(stopped, pid)
	}
	return stopped, errors.Join(errs...)
}

// continueTree sends SIGCONT to every pid in stopped and to root's current
// children. Missing processes are ignored.
func continueTree(root int, stopped []int) {
	for _, pid := range stopped {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	for _, pid := range childPIDs(root) {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
	_ = syscall.Kill(root, syscall.SIGCONT)
}
