package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

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
