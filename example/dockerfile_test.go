package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/healthfx"
)

// dockerInstr is one Dockerfile instruction, continuation lines joined.
type dockerInstr struct {
	cmd  string // upper case
	args string
	line int
}

func deployParseDockerfile(t *testing.T, path string) []dockerInstr {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dockerInstr
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, dockerInstr{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// deployExecForm parses the JSON (exec) form of CMD, ENTRYPOINT or
// HEALTHCHECK CMD. The shell form would need /bin/sh, which distroless
// images do not have.
func deployExecForm(t *testing.T, what, s string) []string {
	t.Helper()
	var argv []string
	if err := json.Unmarshal([]byte(s), &argv); err != nil || len(argv) == 0 {
		t.Fatalf("%s %s: want the exec form [\"...\"] (distroless has no shell): %v", what, s, err)
	}
	return argv
}

// TestDockerfile checks the image definition against the code: a static
// build of ./example, a distroless final stage, the example's port, and a
// HEALTHCHECK that runs the binary's own probe subcommand with timings
// that fit the probe's deadline and the startup gate. It also runs that
// probe command against a healthy and an unhealthy server.
func TestDockerfile(t *testing.T) {
	instrs := deployParseDockerfile(t, deployDockerfile)
	var stages [][]dockerInstr
	for _, in := range instrs {
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("line %d: %s before FROM", in.line, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(stages))
	}
	builder, final := stages[0], stages[len(stages)-1]

	// Builder: golang:1.26, static build of ./example to /example.
	builderFrom := strings.Fields(builder[0].args)
	if !strings.HasPrefix(builderFrom[0], "golang:1.26") {
		t.Errorf("builder FROM %s, want golang:1.26", builderFrom[0])
	}
	builderName := ""
	if len(builderFrom) == 3 && strings.EqualFold(builderFrom[1], "AS") {
		builderName = builderFrom[2]
	}
	var build string
	for _, in := range builder {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			build = in.args
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-o /example", "./example"} {
		if !strings.Contains(build, want) {
			t.Errorf("builder's go build %q lacks %q", build, want)
		}
	}

	// Final stage: distroless, and every setting checked against the code.
	get := func(cmd string) []dockerInstr {
		var out []dockerInstr
		for _, in := range final {
			if in.cmd == cmd {
				out = append(out, in)
			}
		}
		return out
	}
	if from := final[0].args; from != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final FROM %q, want gcr.io/distroless/static-debian12:nonroot", from)
	}
	copied := false
	for _, in := range get("COPY") {
		f := strings.Fields(in.args)
		if len(f) == 3 && f[0] == "--from="+builderName && f[1] == "/example" && f[2] == "/example" {
			copied = true
		}
	}
	if !copied {
		t.Errorf("final stage does not COPY --from=%s /example /example", builderName)
	}

	port := deployDefaultPort(t)
	probeURL, err := url.Parse(defaultProbeURL)
	if err != nil {
		t.Fatal(err)
	}
	expose := get("EXPOSE")
	if len(expose) != 1 || expose[0].args != strconv.Itoa(port) && expose[0].args != strconv.Itoa(port)+"/tcp" {
		t.Errorf("EXPOSE %v, want %d (defaultAddr %q)", expose, port, defaultAddr)
	}
	if probeURL.Port() != strconv.Itoa(port) {
		t.Errorf("defaultProbeURL %s does not target the exposed port %d", defaultProbeURL, port)
	}

	entry := get("ENTRYPOINT")
	if len(entry) != 1 {
		t.Fatalf("want one ENTRYPOINT, got %d", len(entry))
	}
	entryArgv := deployExecForm(t, "ENTRYPOINT", entry[0].args)
	if len(entryArgv) != 1 || entryArgv[0] != "/example" {
		t.Errorf("ENTRYPOINT %v, want [/example]", entryArgv)
	}

	hc := get("HEALTHCHECK")
	if len(hc) != 1 {
		t.Fatalf("want one HEALTHCHECK, got %d", len(hc))
	}
	flagPart, cmdPart, ok := strings.Cut(hc[0].args, "CMD ")
	if !ok {
		t.Fatalf("HEALTHCHECK %q: no CMD", hc[0].args)
	}
	argv := deployExecForm(t, "HEALTHCHECK CMD", strings.TrimSpace(cmdPart))
	if len(argv) != 2 || argv[0] != entryArgv[0] || argv[1] != "probe" {
		t.Errorf("HEALTHCHECK CMD %v, want [%s probe] (the default URL targets the exposed port)", argv, entryArgv[0])
	}
	flags := map[string]string{}
	for _, f := range strings.Fields(flagPart) {
		k, v, _ := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		flags[k] = v
	}
	dur := func(k string) time.Duration {
		t.Helper()
		d, err := time.ParseDuration(flags[k])
		if err != nil {
			t.Fatalf("HEALTHCHECK --%s=%q: %v", k, flags[k], err)
		}
		return d
	}
	retries, err := strconv.Atoi(flags["retries"])
	if err != nil || retries < 1 {
		t.Errorf("HEALTHCHECK --retries=%q", flags["retries"])
	}
	timeout, startPeriod, interval := dur("timeout"), dur("start-period"), dur("interval")
	maxWait := healthfx.DefaultConfig().StartupMaxWait
	for _, c := range []struct {
		what string
		ok   bool
	}{
		// The probe reports its own timeout before Docker kills it.
		{fmt.Sprintf("--timeout %v > probe's deadline %v", timeout, probeTimeout), timeout > probeTimeout},
		{fmt.Sprintf("--timeout %v <= --interval %v", timeout, interval), timeout <= interval},
		// Failures during the startup gate do not count.
		{fmt.Sprintf("--start-period %v >= startup max wait %v", startPeriod, maxWait), startPeriod >= maxWait},
		{fmt.Sprintf("--start-period %v >= fx start timeout %v", startPeriod, deployFxTimeout), startPeriod >= deployFxTimeout},
	} {
		if !c.ok {
			t.Errorf("violated: %s", c.what)
		}
	}

	// The HEALTHCHECK's command does what the image needs: exit 0 on a 2xx
	// answer, 1 otherwise (Docker's healthy/unhealthy contract).
	bin := buildExample(t)
	for _, tc := range []struct {
		status int
		want   int
	}{
		{http.StatusOK, 0},
		{http.StatusInternalServerError, 1},
		{http.StatusServiceUnavailable, 1},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tc.status) }))
		cmd := exec.Command(bin, argv[1], srv.URL+probeURL.Path)
		out, err := cmd.CombinedOutput()
		srv.Close()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.want {
			t.Errorf("%v against HTTP %d: exit %d, want %d (%s)", argv, tc.status, code, tc.want, strings.TrimSpace(string(out)))
		}
	}
}
