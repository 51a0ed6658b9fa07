package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEMainBuilds extracts the complete service of the README (its
// first Go block, a package main) and builds it against this module through
// a go build overlay, so the README's program can never stop compiling.
func TestREADMEMainBuilds(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n```go\n")
	src, _, closed := strings.Cut(rest, "\n```\n")
	if !ok || !closed || !strings.HasPrefix(src, "package main\n") {
		t.Fatal("README.md has no Go block starting with package main")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	if err := os.WriteFile(file, []byte(src+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// A package that exists only in the overlay, inside the module.
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(root, "example", "readmemain", "main.go"): file},
	})
	if err != nil {
		t.Fatal(err)
	}
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-overlay", ov, "-o", os.DevNull, "./example/readmemain")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the README's main does not build: %v\n%s", err, out)
	}
}
