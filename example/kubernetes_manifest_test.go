package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

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
			FieldRef *struct {
				FieldPath string `yaml:"fieldPath"`
			} `yaml:"fieldRef"`
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
	fieldEnv   map[string]string // variable -> downward API field path
	probes     map[string]k8sProbe
}

func deployLoadManifest(t *testing.T) k8sManifest {
	t.Helper()
	m := k8sManifest{env: map[string]string{}, secretEnv: map[string]string{}, fieldEnv: map[string]string{}, probes: map[string]k8sProbe{}}
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
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			m.fieldEnv[e.Name] = e.ValueFrom.FieldRef.FieldPath
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
