package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// promGrafanaVar matches $name, ${name} and ${name:format}.
var promGrafanaVar = regexp.MustCompile(`\$(?:\{(\w+)(?::\w+)?\}|(\w+))`)

// promGrafanaBuiltins are Grafana's interval variables, replaced by values
// that make sense over the test's few seconds of 1 s scrapes: every
// window holds at least two samples, which rate() and increase() need.
var promGrafanaBuiltins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "15s",
	"__range":         "1h",
}

// promDashboard is what the test reads of dashboard.json.
type promDashboard struct {
	exprs []promExpr          // every targets[].expr, variables substituted
	vars  []promLabelValuesQ  // label_values() template variable queries
	subst func(string) string // variable substitution
}

type promExpr struct{ where, expr string }

type promLabelValuesQ struct{ name, match, label string }

var promLabelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

func promLoadDashboard(t *testing.T) promDashboard {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("deploy", "grafana", "dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name       string `json:"name"`
				Type       string `json:"type"`
				AllValue   string `json:"allValue"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want a current Grafana schema (>= 36)", d.SchemaVersion)
	}
	values := map[string]string{}
	for k, v := range promGrafanaBuiltins {
		values[k] = v
	}
	var out promDashboard
	for _, v := range d.Templating.List {
		switch v.Type {
		case "query":
			// "All" selected: the variable's allValue (a regex).
			values[v.Name] = v.AllValue
			if v.AllValue == "" {
				values[v.Name] = ".*"
			}
			m := promLabelValuesRE.FindStringSubmatch(v.Definition)
			if m == nil {
				t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, v.Definition)
				continue
			}
			out.vars = append(out.vars, promLabelValuesQ{name: v.Name, match: m[1], label: m[2]})
		case "datasource":
			values[v.Name] = "prometheus"
		}
	}
	out.subst = func(s string) string {
		return promGrafanaVar.ReplaceAllStringFunc(s, func(m string) string {
			sm := promGrafanaVar.FindStringSubmatch(m)
			name := sm[1] + sm[2]
			v, ok := values[name]
			if !ok {
				t.Errorf("unknown Grafana variable %s in %q", m, s)
				return m
			}
			return v
		})
	}
	for i := range out.vars {
		out.vars[i].match = out.subst(out.vars[i].match)
	}

	// Panels, including those nested in collapsed rows.
	type panel struct {
		Title   string            `json:"title"`
		Type    string            `json:"type"`
		Panels  []json.RawMessage `json:"panels"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	}
	var walk func([]json.RawMessage)
	walk = func(raw []json.RawMessage) {
		for _, r := range raw {
			var p panel
			if err := json.Unmarshal(r, &p); err != nil {
				t.Fatalf("dashboard.json panel: %v", err)
			}
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Datasource.UID != "${DS_PROMETHEUS}" {
				t.Errorf("panel %q: datasource uid %q, want ${DS_PROMETHEUS}", p.Title, p.Datasource.UID)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("panel %q target %s: empty expr", p.Title, tg.RefID)
					continue
				}
				out.exprs = append(out.exprs, promExpr{where: fmt.Sprintf("panel %q target %s", p.Title, tg.RefID), expr: out.subst(tg.Expr)})
			}
		}
	}
	walk(d.Panels)
	return out
}
