package testutil

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// procSpec describes a server process to start.
type procSpec struct {
	path     string
	args     []string
	dir      string              // working directory
	logPath  string              // stdout and stderr are appended here
	cred     *syscall.Credential // nil: run as the current user
	deathSig syscall.Signal      // sent to the child if this process dies
}

// process is a child started in its own process group with its output
// appended to a log file. One goroutine waits for it, and it lives exactly as
// long as the child does.
type process struct {
	cmd       *exec.Cmd
	logPath   string
	logOffset int64         // size of the log before the child started
	done      chan struct{} // closed once the child has exited and been reaped
	err       error         // result of Wait; read only after done is closed
}

func startProcess(s procSpec) (*process, error) {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testutil: open log: %w", err)
	}
	// The child inherits its own copy of the descriptor.
	defer logFile.Close()
	offset, err := logFile.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("testutil: open log: %w", err)
	}

	cmd := exec.Command(s.path, s.args...)
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true,
		Credential: s.cred,
		Pdeathsig:  s.deathSig,
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("testutil: start %s: %w", s.path, err)
	}
	p := &process{cmd: cmd, logPath: s.logPath, logOffset: offset, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// signal sends sig to the child unless it has already been reaped.
func (p *process) signal(sig syscall.Signal) error {
	if p.exited() {
		return nil
	}
	return p.cmd.Process.Signal(sig)
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait reports whether the child exited within timeout.
func (p *process) wait(timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// stopWithin sends sig and waits up to timeout for the child to exit,
// killing it (see kill) when it does not; it reports whether the child
// exited in time.
func (p *process) stopWithin(sig syscall.Signal, timeout time.Duration) bool {
	_ = p.signal(sig)
	if p.wait(timeout) {
		return true
	}
	p.kill()
	return false
}

// kill SIGKILLs the child's direct children and then the child, and waits
// for it. It is the last resort of a stop that timed out.
func (p *process) kill() {
	if p.exited() {
		return
	}
	for _, pid := range childPIDs(p.pid()) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = p.signal(syscall.SIGKILL)
	<-p.done
}

// logTail returns up to the last 30 lines the child wrote to its log.
func (p *process) logTail() string {
	return logTail(p.logPath, p.logOffset, 30)
}

// logTail returns the last n lines of the file at path after offset.
func logTail(path string, offset int64, n int) string {
	const maxBytes = 8 << 10
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	if st.Size()-offset > maxBytes {
		offset = st.Size() - maxBytes
	}
	b, err := io.ReadAll(io.NewSectionReader(f, offset, st.Size()-offset))
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
