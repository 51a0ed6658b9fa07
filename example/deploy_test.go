package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.yaml.in/yaml/v3"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// The deployment files, relative to the package directory (go test runs
// in example/).
var (
	deployKubernetes = filepath.Join("deploy", "kubernetes.yaml")
	deployDockerfile = filepath.Join("deploy", "Dockerfile")
	deployPromDir    = filepath.Join("deploy", "prometheus")
)

// The routes the manifests rely on, as served by echohealth.
const (
	deployLivePath  = "/healthcheck/live"
	deployReadyPath = "/healthcheck/ready"
)

// deployFxTimeout is fx's start and stop timeout. The example passes no
// fx.StartTimeout or fx.StopTimeout option (app.go), so both are fx's
// default: the startup gate must fit in the first, the drain and the
// cleanups in the second.
const deployFxTimeout = fx.DefaultTimeout

// deployDefaultPort is the port of the example's default HTTP_ADDR.
func deployDefaultPort(t *testing.T) int {
	t.Helper()
	_, p, err := net.SplitHostPort(defaultAddr)
	if err != nil {
		t.Fatalf("defaultAddr %q: %v", defaultAddr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("defaultAddr %q: %v", defaultAddr, err)
	}
	return port
}

// k8sProbe is a container probe with every field Kubernetes accepts for an
// httpGet probe. It is decoded strictly (unknown fields are errors), so a
// misspelt field such as "failureTreshold" fails the test instead of
// silently falling back to Kubernetes' default.
type k8sProbe struct {
	HTTPGet *struct {
		Path        string `yaml:"path"`
		Port        string `yaml:"port"`
		Host        string `yaml:"host"`
		Scheme      string `yaml:"scheme"`
		HTTPHeaders []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"httpHeaders"`
	} `yaml:"httpGet"`
	InitialDelaySeconds           int  `yaml:"initialDelaySeconds"`
	PeriodSeconds                 int  `yaml:"periodSeconds"`
	TimeoutSeconds                int  `yaml:"timeoutSeconds"`
	SuccessThreshold              int  `yaml:"successThreshold"`
	FailureThreshold              int  `yaml:"failureThreshold"`
	TerminationGracePeriodSeconds *int `yaml:"terminationGracePeriodSeconds"`
}

// k8sContainer holds the container fields the test looks at; probes are
// kept as nodes and decoded strictly.
type k8sContainer struct {
	Name  string `yaml:"name"`
	Image string `yaml:"image"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
		Protocol      string `yaml:"protocol"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	StartupProbe   yaml.Node `yaml:"startupProbe"`
	LivenessProbe  yaml.Node `yaml:"livenessProbe"`
	ReadinessProbe yaml.Node `yaml:"readinessProbe"`
}

type k8sSelector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type k8sDeploymentSpec struct {
	Replicas int         `yaml:"replicas"`
	Selector k8sSelector `yaml:"selector"`
	Template struct {
		Metadata struct {
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec struct {
			TerminationGracePeriodSeconds *int           `yaml:"terminationGracePeriodSeconds"`
			Containers                    []k8sContainer `yaml:"containers"`
		} `yaml:"spec"`
	} `yaml:"template"`
}

type k8sServiceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort string `yaml:"targetPort"`
	} `yaml:"ports"`
}

type k8sPDBSpec struct {
	MinAvailable int         `yaml:"minAvailable"`
	Selector     k8sSelector `yaml:"selector"`
}

// k8sDoc is one document of the manifest; Spec is decoded per Kind.
type k8sDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec yaml.Node `yaml:"spec"`
}

// deployReadYAMLDocs decodes every document of a multi-document YAML file.
func deployReadYAMLDocs(t *testing.T, path string) []k8sDoc {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []k8sDoc
	for {
		var d k8sDoc
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, len(docs)+1, err)
		}
		if d.Kind == "" {
			t.Fatalf("%s: document %d has no kind", path, len(docs)+1)
		}
		docs = append(docs, d)
	}
}

// deployStrict decodes node into dst, rejecting fields dst does not have.
func deployStrict(t *testing.T, what string, node *yaml.Node, dst any) {
	t.Helper()
	b, err := yaml.Marshal(node)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// deployDecode decodes node into dst (unknown fields allowed: the structs
// above model only what the test checks).
func deployDecode(t *testing.T, what string, node *yaml.Node, dst any) {
	t.Helper()
	if err := node.Decode(dst); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// k8sManifest is the parsed kubernetes.yaml.
type k8sManifest struct {
	deployment k8sDeploymentSpec
	service    k8sServiceSpec
	pdb        *k8sPDBSpec
	container  k8sContainer
	env        map[string]string // literal values
	secretEnv  map[string]string // variable -> secret/key
	probes     map[string]k8sProbe
}

func deployLoadManifest(t *testing.T) k8sManifest {
	t.Helper()
	m := k8sManifest{env: map[string]string{}, secretEnv: map[string]string{}, probes: map[string]k8sProbe{}}
	kinds := map[string]int{}
	for _, d := range deployReadYAMLDocs(t, deployKubernetes) {
		kinds[d.Kind]++
		switch d.Kind {
		case "Deployment":
			deployDecode(t, "Deployment", &d.Spec, &m.deployment)
		case "Service":
			deployDecode(t, "Service", &d.Spec, &m.service)
		case "PodDisruptionBudget":
			m.pdb = new(k8sPDBSpec)
			deployDecode(t, "PodDisruptionBudget", &d.Spec, m.pdb)
		default:
			t.Errorf("unexpected kind %s", d.Kind)
		}
	}
	for _, k := range []string{"Deployment", "Service"} {
		if kinds[k] != 1 {
			t.Fatalf("want exactly one %s in %s, got %d", k, deployKubernetes, kinds[k])
		}
	}
	cs := m.deployment.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("want one container, got %d", len(cs))
	}
	m.container = cs[0]
	for _, e := range m.container.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			m.secretEnv[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		case e.ValueFrom == nil:
			m.env[e.Name] = e.Value
		default:
			t.Errorf("env %s: unsupported valueFrom", e.Name)
		}
	}
	for name, node := range map[string]*yaml.Node{
		"startupProbe":   &m.container.StartupProbe,
		"livenessProbe":  &m.container.LivenessProbe,
		"readinessProbe": &m.container.ReadinessProbe,
	} {
		if node.Kind == 0 {
			t.Fatalf("container has no %s", name)
		}
		var p k8sProbe
		deployStrict(t, name, node, &p)
		m.probes[name] = p
	}
	return m
}

// TestKubernetesManifests checks kubernetes.yaml against the code: the
// probe paths and port, and the timing relations its comments claim, then
// runs the example with the manifest's environment and checks the routes
// answer and that a SIGTERM drains and exits within the grace period.
func TestKubernetesManifests(t *testing.T) {
	m := deployLoadManifest(t)
	port := deployDefaultPort(t)

	// The container port named "http" is the example's default port, and
	// HTTP_ADDR (if set) listens on it.
	portByName := map[string]int{}
	for _, p := range m.container.Ports {
		portByName[p.Name] = p.ContainerPort
	}
	if got := portByName["http"]; got != port {
		t.Errorf("containerPort http = %d, want %d (defaultAddr %q)", got, port, defaultAddr)
	}
	if addr, ok := m.env["HTTP_ADDR"]; ok {
		_, p, err := net.SplitHostPort(addr)
		if err != nil || p != strconv.Itoa(port) {
			t.Errorf("HTTP_ADDR=%q does not listen on containerPort %d", addr, port)
		}
	}

	// Probes: the routes the code serves, on the named port.
	for _, tc := range []struct {
		probe, path string
	}{
		{"startupProbe", deployReadyPath},
		{"livenessProbe", deployLivePath},
		{"readinessProbe", deployReadyPath},
	} {
		p := m.probes[tc.probe]
		if p.HTTPGet == nil {
			t.Errorf("%s: want an httpGet probe", tc.probe)
			continue
		}
		if p.HTTPGet.Path != tc.path {
			t.Errorf("%s: path %q, want %q", tc.probe, p.HTTPGet.Path, tc.path)
		}
		if n, err := strconv.Atoi(p.HTTPGet.Port); err == nil {
			if n != port {
				t.Errorf("%s: port %d, want %d", tc.probe, n, port)
			}
		} else if portByName[p.HTTPGet.Port] != port {
			t.Errorf("%s: port %q names no container port %d", tc.probe, p.HTTPGet.Port, port)
		}
		if p.HTTPGet.Scheme != "" && p.HTTPGet.Scheme != "HTTP" {
			t.Errorf("%s: scheme %q, the example serves plain HTTP", tc.probe, p.HTTPGet.Scheme)
		}
		if p.PeriodSeconds < 1 || p.FailureThreshold < 1 || p.TimeoutSeconds < 1 {
			t.Errorf("%s: periodSeconds, failureThreshold and timeoutSeconds must be set explicitly (commented), got %+v", tc.probe, p)
		}
		if p.TimeoutSeconds > p.PeriodSeconds {
			t.Errorf("%s: timeoutSeconds %d > periodSeconds %d", tc.probe, p.TimeoutSeconds, p.PeriodSeconds)
		}
	}

	// The environment must be accepted by the service's own loader (the
	// secrets come from the Secret and are not checked here).
	cfg, err := healthfx.LoadConfig(func(k string) (string, bool) { v, ok := m.env[k]; return v, ok })
	if err != nil {
		t.Fatalf("manifest env rejected by healthfx.LoadConfig: %v", err)
	}
	if ns := m.env["HEALTH_METRICS_NAMESPACE"]; ns != "messenger" {
		t.Errorf("HEALTH_METRICS_NAMESPACE=%q, want messenger (the dashboard and alerts query messenger_*)", ns)
	}
	if _, ok := m.secretEnv["DATABASE_URL"]; !ok {
		t.Errorf("DATABASE_URL must come from a Secret (and must be set: no embedded PostgreSQL in the image)")
	}
	if _, ok := m.env["DATABASE_URL"]; ok {
		t.Errorf("DATABASE_URL must not be a literal in the manifest")
	}

	drainValue, ok := m.env["HEALTH_DRAIN_DELAY"]
	if !ok {
		t.Fatal("HEALTH_DRAIN_DELAY must be set explicitly")
	}
	drain, err := healthfx.ParseDuration(drainValue)
	if err != nil {
		t.Fatalf("HEALTH_DRAIN_DELAY=%q: %v", drainValue, err)
	}
	if drain != cfg.DrainDelay {
		t.Fatalf("ParseDuration and LoadConfig disagree: %v vs %v", drain, cfg.DrainDelay)
	}

	seconds := func(n int) time.Duration { return time.Duration(n) * time.Second }
	ready, startup := m.probes["readinessProbe"], m.probes["startupProbe"]
	readyDetect := seconds(ready.PeriodSeconds * ready.FailureThreshold)
	startupBudget := seconds(startup.PeriodSeconds * startup.FailureThreshold)
	graceP := m.deployment.Template.Spec.TerminationGracePeriodSeconds
	if graceP == nil {
		t.Fatal("terminationGracePeriodSeconds must be set explicitly")
	}
	grace := seconds(*graceP)

	for _, c := range []struct {
		what string
		ok   bool
	}{
		// The drain lasts until the kubelet has seen readiness fail.
		{fmt.Sprintf("HEALTH_DRAIN_DELAY %v >= readiness periodSeconds x failureThreshold %v", drain, readyDetect), drain >= readyDetect},
		// The drain runs inside fx's stop timeout, which must leave room
		// for the cleanups and the server's shutdown after it.
		{fmt.Sprintf("HEALTH_DRAIN_DELAY %v < fx stop timeout %v", drain, deployFxTimeout), drain < deployFxTimeout},
		// The kubelet must not SIGKILL a pod that is still stopping.
		{fmt.Sprintf("terminationGracePeriodSeconds %v >= drain %v + fx stop timeout %v", grace, drain, deployFxTimeout), grace >= drain+deployFxTimeout},
		// The startupProbe must not kill a pod still inside its startup
		// gate or fx's start timeout.
		{fmt.Sprintf("startupProbe budget %v >= HEALTH_STARTUP_MAX_WAIT %v", startupBudget, cfg.StartupMaxWait), startupBudget >= cfg.StartupMaxWait},
		{fmt.Sprintf("startupProbe budget %v >= fx start timeout %v", startupBudget, deployFxTimeout), startupBudget >= deployFxTimeout},
		{fmt.Sprintf("HEALTH_STARTUP_MAX_WAIT %v < fx start timeout %v", cfg.StartupMaxWait, deployFxTimeout), cfg.StartupMaxWait < deployFxTimeout},
	} {
		if !c.ok {
			t.Errorf("violated: %s", c.what)
		}
	}

	// Deployment, Service and PDB agree with each other.
	d := m.deployment
	for k, v := range d.Selector.MatchLabels {
		if d.Template.Metadata.Labels[k] != v {
			t.Errorf("Deployment selector %s=%s does not match the pod labels", k, v)
		}
	}
	for k, v := range m.service.Selector {
		if d.Template.Metadata.Labels[k] != v {
			t.Errorf("Service selector %s=%s does not match the pod labels", k, v)
		}
	}
	for _, p := range m.service.Ports {
		if p.TargetPort != "http" && p.TargetPort != strconv.Itoa(port) {
			t.Errorf("Service port %s: targetPort %q is not the container's http port", p.Name, p.TargetPort)
		}
	}
	if m.pdb != nil && m.pdb.MinAvailable >= d.Replicas {
		t.Errorf("PodDisruptionBudget minAvailable %d >= replicas %d blocks every node drain", m.pdb.MinAvailable, d.Replicas)
	}
	if p := d.Template.Metadata.Annotations["prometheus.io/port"]; p != "" && p != strconv.Itoa(port) {
		t.Errorf("prometheus.io/port %q, want %d", p, port)
	}
	metricsPath := d.Template.Metadata.Annotations["prometheus.io/path"]
	if t.Failed() {
		return
	}

	// Run the example with the manifest's environment (its own loopback
	// port instead of HTTP_ADDR, a test database and a JWT secret instead
	// of the Secret) and check what the manifest relies on.
	pg := testutil.StartPostgres(t)
	env := []string{"DATABASE_URL=" + pg.DSN(), "HEALTH_JWT_SECRET=" + deployRandomHex(t, 32)}
	for k, v := range m.env {
		if k != "HTTP_ADDR" {
			env = append(env, k+"="+v)
		}
	}
	svc := startService(t, env...)

	// Ready within the startupProbe's budget.
	deadline := time.Now().Add(startupBudget)
	for {
		code, _ := svc.Get(t, deployReadyPath)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still %d after the startupProbe budget %v\nstderr:\n%s", deployReadyPath, code, startupBudget, svc.Stderr())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tc := range []struct{ probe, path string }{
		{"startupProbe", m.probes["startupProbe"].HTTPGet.Path},
		{"livenessProbe", m.probes["livenessProbe"].HTTPGet.Path},
		{"readinessProbe", m.probes["readinessProbe"].HTTPGet.Path},
		{"prometheus.io/path", metricsPath},
	} {
		if tc.path == "" {
			continue
		}
		if code, body := svc.Get(t, tc.path); code != http.StatusOK {
			t.Errorf("%s: GET %s = %d %s", tc.probe, tc.path, code, body)
		}
	}
	if _, body := svc.Get(t, metricsPath); !strings.Contains(body, "messenger_health_check_status{") {
		t.Errorf("GET %s: no messenger_health_check_status series", metricsPath)
	}

	// SIGTERM as the kubelet sends it: readiness fails at once while the
	// process keeps serving (liveness stays 200) for the drain, then it
	// exits 0 within terminationGracePeriodSeconds.
	//
	// First wait for fx's "started": readiness turns 200 when the startup
	// gate passes, before the example's migration hook has run and before
	// app.Start returns, and fx installs its SIGTERM handler only in
	// app.Done(), called after Start returns (app.go). A SIGTERM in that
	// window gets Go's default action (immediate exit, no drain). The
	// handler is installed microseconds after the log line; 100 ms covers
	// a loaded machine.
	for !strings.Contains(svc.Stderr(), "msg=started") {
		if time.Now().After(deadline) {
			t.Fatalf("no \"started\" log within the startupProbe budget\nstderr:\n%s", svc.Stderr())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	svc.Terminate(t)
	for {
		code, _ := svc.Get(t, deployReadyPath)
		if code == http.StatusServiceUnavailable {
			break
		}
		if time.Since(start) > time.Second {
			t.Fatalf("%s still %d 1s after SIGTERM; the drain needs it to fail at once", deployReadyPath, code)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, _ := svc.Get(t, deployLivePath); code != http.StatusOK {
		t.Errorf("%s = %d during the drain; a liveness failure would restart the pod", deployLivePath, code)
	}
	if code := svc.Wait(t, grace); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0\nstderr:\n%s", code, svc.Stderr())
	}
	if took := time.Since(start); took < drain || took >= grace {
		t.Errorf("stopped %v after SIGTERM, want within [drain %v, grace %v)", took, drain, grace)
	} else {
		t.Logf("stopped %v after SIGTERM (drain %v, grace %v)", took.Round(time.Millisecond), drain, grace)
	}
}

func deployRandomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

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

// deployPromBinary returns the path of a Prometheus tool (promtool,
// prometheus), or skips the test without it; with HEALTHCHECK_REQUIRE_DB=1
// (CI, where every dependency must be present) it fails instead.
func deployPromBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if testutil.RequireDB() {
			t.Fatalf("%s not found (HEALTHCHECK_REQUIRE_DB=1): apt-get install prometheus", name)
		}
		t.Skipf("%s not found: apt-get install prometheus", name)
	}
	return p
}

// promRuleFile is the part of a Prometheus rule file the tests read.
type promRuleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func deployLoadRules(t *testing.T) promRuleFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployPromDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f promRuleFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAlertRules validates the rules with promtool, runs their unit tests,
// and checks those tests cover every alert both firing and quiet.
func TestAlertRules(t *testing.T) {
	promtool := deployPromBinary(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", filepath.Join(deployPromDir, "alerts.yml")},
		{"test", "rules", filepath.Join(deployPromDir, "alerts_test.yml")},
		{"check", "config", filepath.Join(deployPromDir, "prometheus.yml")},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	// Every alert has a severity and a summary, and the unit tests hold
	// at least one case where it fires and one where it stays quiet.
	rules := deployLoadRules(t)
	b, err := os.ReadFile(filepath.Join(deployPromDir, "alerts_test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var tests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string           `yaml:"alertname"`
				ExpAlerts []map[string]any `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(b, &tests); err != nil {
		t.Fatal(err)
	}
	firing, quiet := map[string]int{}, map[string]int{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				firing[a.Alertname]++
			} else {
				quiet[a.Alertname]++
			}
		}
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			n++
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s: want a severity label and a summary annotation", r.Alert)
			}
			if firing[r.Alert] == 0 || quiet[r.Alert] == 0 {
				t.Errorf("alert %s: alerts_test.yml has %d firing and %d quiet case(s), want at least one of each", r.Alert, firing[r.Alert], quiet[r.Alert])
			}
		}
	}
	t.Logf("%d alerts, each with firing and quiet unit tests", n)
}
