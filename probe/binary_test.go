package probe_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tinyMain is the whole main of a service embedding the probe.
const tinyMain = `package main

import (
	"fmt"

	"github.com/echofx/healthcheck/probe"
)

func main() {
	probe.Main()
	fmt.Println("serving")
}
`

// buildService builds tinyMain in a temporary module that points at this
// one, and returns the binary's path.
func buildService(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found on PATH: needed to build the test binary")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/myservice\n\ngo 1.26.0\n\nrequire github.com/echofx/healthcheck v0.0.0\n\n" +
		"replace github.com/echofx/healthcheck => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"go.mod": []byte(goMod), "go.sum": sum, "main.go": []byte(tinyMain)} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "myservice")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs the binary with args and HTTP_ADDR, returning its exit code,
// output and duration.
func run(t *testing.T, bin, httpAddr string, args ...string) (int, string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HTTP_ADDR=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "HTTP_ADDR="+httpAddr)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out), elapsed
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out), elapsed
	default:
		t.Fatalf("run %v: %v", args, err)
		return -1, "", 0
	}
}

func TestBuiltBinary(t *testing.T) {
	bin := buildService(t)

	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthcheck/" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"status":"success","data":{"health":"ok"}}`))
	}))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":"error","error":"database \"x\" does not exist"}`, http.StatusInternalServerError)
	}))
	defer failing.Close()
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(release)
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	_ = refused.Close()

	_, okPort, _ := net.SplitHostPort(ok.Listener.Addr().String())
	tests := []struct {
		name     string
		httpAddr string
		args     []string
		code     int
		prefix   string
	}{
		{"own address from HTTP_ADDR", ":" + okPort, []string{"probe"}, 0, "probe: healthy: HTTP 200"},
		{"URL argument", ":1", []string{"probe", ok.URL + "/healthcheck/"}, 0, "probe: healthy: HTTP 200"},
		{"500", ":1", []string{"probe", failing.URL + "/healthcheck/"}, 1, "probe: unhealthy: HTTP 500"},
		{"refused", refusedAddr, []string{"probe"}, 1, "probe: unhealthy: "},
		{"hanging", ":1", []string{"probe", hanging.URL + "/healthcheck/"}, 1, "probe: unhealthy: "},
		{"not the probe", ":1", []string{"serve"}, 0, "serving"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, elapsed := run(t, bin, tt.httpAddr, tt.args...)
			if code != tt.code || !strings.HasPrefix(out, tt.prefix) || strings.Count(out, "\n") != 1 {
				t.Errorf("myservice %v = exit %d, %q; want exit %d and one line starting %q", tt.args, code, out, tt.code, tt.prefix)
			}
			// The default bound is 3 s; allow a busy machine plenty.
			if elapsed > 10*time.Second {
				t.Errorf("myservice %v took %v, want well under 10s (3s bound)", tt.args, elapsed)
			}
			t.Logf("%v: exit %d in %v: %s", tt.args, code, elapsed.Round(time.Millisecond), strings.TrimSpace(out))
		})
	}
}
