package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// builds holds one build per example package ("." is the Echo v4
// service, "./echov5" the Echo v5 one), made once per test process.
var builds sync.Map // package -> func() (string, error)

// binDir is the test process's directory of builds, removed by TestMain
// when the tests end: the builds outlive any one test, so no t.TempDir.
var binDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "example-bin-") })

// removeBuilds removes binDir, if it was made.
func removeBuilds() {
	if dir, err := binDir(); err == nil {
		os.RemoveAll(dir)
	}
}

// buildExample builds the Echo v4 example binary once per test process.
func buildExample(t testing.TB) string { return buildPackage(t, ".") }

// buildPackage builds the example package pkg once per test process.
func buildPackage(t testing.TB, pkg string) string {
	t.Helper()
	f, _ := builds.LoadOrStore(pkg, sync.OnceValues(func() (string, error) {
		dir, err := binDir()
		if err != nil {
			return "", err
		}
		// One subdirectory per package, each binary named "example" (its
		// default service name): "./echov5" in <dir>/echov5/example.
		sub := filepath.Join(dir, strings.NewReplacer(".", "", "/", "").Replace(pkg))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return "", err
		}
		path := filepath.Join(sub, "example")
		out, err := exec.Command("go", "build", "-o", path, pkg).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
		return path, nil
	}))
	path, err := f.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// service is a running example binary.
type service struct {
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:port
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	wrote  chan struct{} // closed and replaced (under mu) after every write
	done   chan struct{}
	err    error
}

// lockedWriter appends to a buffer under the service's lock and, when
// wrote is set, closes and replaces *wrote after every write.
type lockedWriter struct {
	mu    *sync.Mutex
	b     *bytes.Buffer
	wrote *chan struct{}
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	if w.wrote != nil {
		close(*w.wrote)
		*w.wrote = make(chan struct{})
	}
	return n, err
}

// startService runs the example with env (KEY=VALUE, on top of a minimal
// environment) on a free loopback port, and waits until /healthcheck/live
// answers. The process is killed at cleanup if still running.
func startService(t testing.TB, env ...string) *service {
	t.Helper()
	return startPackage(t, ".", env...)
}

// startPackage is startService for the example package pkg.
func startPackage(t testing.TB, pkg string, env ...string) *service {
	t.Helper()
	s := launchPackage(t, pkg, env...)
	s.WaitLog(t, "msg=serving", 60*time.Second) // listening: the probes answer from now on
	if code, body := s.Get(t, "/healthcheck/live"); code != 200 {
		t.Fatalf("example serving, live = %d %s\nstderr:\n%s", code, body, s.Stderr())
	}
	return s
}

// WaitLog waits (at most d) until the process's stderr contains substr,
// failing the test if the process exits first.
func (s *service) WaitLog(t testing.TB, substr string, d time.Duration) {
	t.Helper()
	timeout := time.NewTimer(d)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		found, wrote := strings.Contains(s.stderr.String(), substr), s.wrote
		s.mu.Unlock()
		if found {
			return
		}
		select {
		case <-wrote:
		case <-s.done:
			if !strings.Contains(s.Stderr(), substr) {
				t.Fatalf("example exited (%v) without logging %q\nstderr:\n%s", s.err, substr, s.Stderr())
			}
			return
		case <-timeout.C:
			t.Fatalf("no %q in the log within %v\nstderr:\n%s", substr, d, s.Stderr())
		}
	}
}

// launch starts the example without waiting for it.
func launch(t testing.TB, env ...string) *service {
	t.Helper()
	return launchPackage(t, ".", env...)
}

// launchPackage starts the example package pkg without waiting for it.
func launchPackage(t testing.TB, pkg string, env ...string) *service {
	t.Helper()
	bin := buildPackage(t, pkg)
	port, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &service{URL: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{}), wrote: make(chan struct{})}
	s.cmd = exec.Command(bin)
	s.cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", port),
	}, env...)
	s.cmd.Stdout = lockedWriter{&s.mu, &s.stdout, &s.wrote}
	s.cmd.Stderr = lockedWriter{&s.mu, &s.stderr, &s.wrote}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// Stdout and Stderr return what the process printed so far.
func (s *service) Stdout() string { s.mu.Lock(); defer s.mu.Unlock(); return s.stdout.String() }
func (s *service) Stderr() string { s.mu.Lock(); defer s.mu.Unlock(); return s.stderr.String() }

// Get fetches path and returns the status code and body.
func (s *service) Get(t testing.TB, path string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// Terminate sends SIGTERM.
func (s *service) Terminate(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

// Signal sends sig.
func (s *service) Signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// Wait waits for the process to exit (at most d) and returns its exit code.
func (s *service) Wait(t testing.TB, d time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(d):
		t.Fatalf("example did not exit within %v\nstderr:\n%s", d, s.Stderr())
	}
	return s.cmd.ProcessState.ExitCode()
}

// fastEnv are settings that keep tests quick: short TTL, interval and
// drain.
func fastEnv(extra ...string) []string {
	return append([]string{
		"HEALTH_CHECK_TIMEOUT=1s",
		"HEALTH_CHECK_CACHE_TTL=100ms",
		"HEALTH_CHECK_INTERVAL=500ms",
		"HEALTH_DRAIN_DELAY=1s",
	}, extra...)
}
