package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/echofx/healthcheck/internal/testutil"
)

// deployAlertmanagerConfig is the fleet's Alertmanager configuration shipped
// in the deploy kit.
var deployAlertmanagerConfig = filepath.Join("deploy", "alertmanager", "alertmanager.yml")

// TestAlertmanagerConfig validates the shipped configuration with amtool and
// checks the promises the README makes of it: one group per service, check
// and alert (so the replicas fold into one notification), resolutions sent,
// and an unhealthy check inhibiting its own error-rate and latency alerts on
// the same instance.
func TestAlertmanagerConfig(t *testing.T) {
	amtool, err := exec.LookPath("amtool")
	if err != nil {
		if testutil.RequireDB() {
			t.Fatal("amtool not found (HEALTHCHECK_REQUIRE_DB=1): apt-get install prometheus-alertmanager")
		}
		t.Skip("amtool not found: apt-get install prometheus-alertmanager")
	}
	if out, err := exec.Command(amtool, "check-config", deployAlertmanagerConfig).CombinedOutput(); err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}

	b, err := os.ReadFile(deployAlertmanagerConfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Route struct {
			Receiver  string   `yaml:"receiver"`
			GroupBy   []string `yaml:"group_by"`
			GroupWait string   `yaml:"group_wait"`
		} `yaml:"route"`
		Receivers []struct {
			Name     string `yaml:"name"`
			Webhooks []struct {
				SendResolved bool `yaml:"send_resolved"`
			} `yaml:"webhook_configs"`
		} `yaml:"receivers"`
		Inhibit []struct {
			Source []string `yaml:"source_matchers"`
			Target []string `yaml:"target_matchers"`
			Equal  []string `yaml:"equal"`
		} `yaml:"inhibit_rules"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Route.GroupBy, ","); got != "service,check,alertname" {
		t.Errorf("group_by = %s, want service,check,alertname (no instance: the replicas fold into one group)", got)
	}
	if cfg.Route.GroupWait == "" {
		t.Error("group_wait unset")
	}
	for _, r := range cfg.Receivers {
		for _, w := range r.Webhooks {
			if !w.SendResolved {
				t.Errorf("receiver %s: send_resolved is false: nobody hears of the recovery", r.Name)
			}
		}
	}
	if len(cfg.Inhibit) != 1 {
		t.Fatalf("%d inhibit rules, want 1", len(cfg.Inhibit))
	}
	rule := cfg.Inhibit[0]
	if strings.Join(rule.Source, ",") != `alertname="CheckUnhealthy"` ||
		!strings.Contains(strings.Join(rule.Target, ","), "CheckErrorRate") ||
		!strings.Contains(strings.Join(rule.Target, ","), "CheckLatencyHigh") ||
		strings.Join(rule.Equal, ",") != "service,check,instance" {
		t.Errorf("inhibit rule = %+v, want CheckUnhealthy inhibiting CheckErrorRate and CheckLatencyHigh on the same service, check and instance", rule)
	}
}
