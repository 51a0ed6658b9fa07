package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func fakePostgresBin(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"initdb", "postgres"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindPostgresBinPicksNewest(t *testing.T) {
	root := t.TempDir()
	fakePostgresBin(t, filepath.Join(root, "9.6", "bin"))
	fakePostgresBin(t, filepath.Join(root, "15", "bin"))
	fakePostgresBin(t, filepath.Join(root, "13", "bin"))
	if err := os.MkdirAll(filepath.Join(root, "16", "bin"), 0o755); err != nil { // client only
		t.Fatal(err)
	}
	old := pgInstallRoot
	pgInstallRoot = root
	t.Cleanup(func() { pgInstallRoot = old })
	t.Setenv(PostgresBinEnv, "")
	t.Setenv("PATH", t.TempDir())

	got, err := FindPostgresBin()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "15", "bin"); got != want {
		t.Errorf("FindPostgresBin() = %s, want %s", got, want)
	}

	pgInstallRoot = t.TempDir()
	if _, err := FindPostgresBin(); !errors.Is(err, ErrNoPostgres) {
		t.Errorf("with nothing installed: err = %v, want ErrNoPostgres", err)
	}
}

func TestFindPostgresBinEnv(t *testing.T) {
	dir := t.TempDir()
	fakePostgresBin(t, dir)
	t.Setenv(PostgresBinEnv, dir)
	if got, err := FindPostgresBin(); err != nil || got != dir {
		t.Errorf("FindPostgresBin() = %q, %v; want %q", got, err, dir)
	}

	t.Setenv(PostgresBinEnv, t.TempDir())
	_, err := FindPostgresBin()
	if err == nil || errors.Is(err, ErrNoPostgres) {
		t.Errorf("bad %s: err = %v, want a configuration error", PostgresBinEnv, err)
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		sign int
	}{
		{"9.6", "15", -1}, {"15", "15", 0}, {"16", "15", 1}, {"15", "15.1", -1},
	} {
		got := compareVersions(c.a, c.b)
		if (got < 0 && c.sign >= 0) || (got > 0 && c.sign <= 0) || (got == 0 && c.sign != 0) {
			t.Errorf("compareVersions(%q, %q) = %d, want sign %d", c.a, c.b, got, c.sign)
		}
	}
}
