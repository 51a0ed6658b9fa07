package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestSystemCredentialUnknownUser(t *testing.T) {
	if _, err := systemCredential("no-such-user-healthcheck"); err == nil {
		t.Fatal("want an error for a missing user")
	}
}

func TestCheckSearchable(t *testing.T) {
	other := &syscall.Credential{Uid: 4242, Gid: 4242}
	dir := t.TempDir()
	closed := filepath.Join(dir, "closed")
	inner := filepath.Join(closed, "inner")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	err := checkSearchable(inner, other)
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("checkSearchable through a 0700 dir = %v, want an error naming it", err)
	}
	if err := addSearch(closed); err != nil {
		t.Fatal(err)
	}
	// t.TempDir's own parents are 0700 as well, so only check the part we own.
	if fi, _ := os.Stat(closed); fi.Mode().Perm() != 0o711 {
		t.Fatalf("mode after addSearch = %v, want 0711", fi.Mode().Perm())
	}
}

func TestChownTree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cred := &syscall.Credential{Uid: 4242, Gid: 4343}
	if err := chownTree(dir, cred); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, filepath.Join(dir, "f")} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 4242 || st.Gid != 4343 {
			t.Errorf("%s owned by %d:%d, want 4242:4343", p, st.Uid, st.Gid)
		}
	}
}
