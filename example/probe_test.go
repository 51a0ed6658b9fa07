package main

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// runProbeEnv runs the probe subcommand without a URL, with only env (and
// PATH) in its environment, and returns its exit code and output.
func runProbeEnv(t *testing.T, env ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(buildExample(t), "probe")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return cmd.ProcessState.ExitCode(), strings.TrimSpace(string(out))
}

// TestProbeWithoutURLProbesOwnAddr: without a URL the probe reaches the
// service at its HTTP_ADDR, an address on every interface through
// 127.0.0.1.
func TestProbeWithoutURLProbesOwnAddr(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	s := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_JWT_SECRET="+testSecret)...)
	eventually(t, 20*time.Second, "a healthy service", func() bool { code, _ := s.Get(t, "/healthcheck/"); return code == 200 })
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	port := u.Port()
	for _, addr := range []string{":" + port, "0.0.0.0:" + port, "[::]:" + port, "127.0.0.1:" + port} {
		t.Run(addr, func(t *testing.T) {
			if code, out := runProbeEnv(t, "HTTP_ADDR="+addr); code != 0 || out != "probe: healthy: HTTP 200" {
				t.Fatalf("probe with HTTP_ADDR=%s: exit %d: %s", addr, code, out)
			}
		})
	}

	closed, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	code, out := runProbeEnv(t, fmt.Sprintf("HTTP_ADDR=:%d", closed))
	if want := fmt.Sprintf("127.0.0.1:%d", closed); code != 1 || !strings.Contains(out, want) {
		t.Fatalf("probe with HTTP_ADDR=:%d (nothing there): exit %d: %s; want exit 1 naming %s", closed, code, out, want)
	}
	if code, out := runProbeEnv(t, "HTTP_ADDR=8788"); code != 1 || !strings.Contains(out, "HTTP_ADDR") {
		t.Fatalf("probe with a bad HTTP_ADDR: exit %d: %s; want exit 1 naming HTTP_ADDR", code, out)
	}
}
