package checks_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestValidateGroups(t *testing.T) {
	registered := func(n string) bool { return slices.Contains([]string{"database", "redis", "migrations"}, n) }
	ok := []checks.Group{{Name: "core", Checks: []string{"database", "migrations"}}, {Name: "cache", Checks: []string{"redis"}}}
	if err := checks.ValidateGroups(ok, registered); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		groups []checks.Group
		want   string
	}{
		{[]checks.Group{{Name: "core", Checks: []string{"database", "nope"}}}, `group "core": unknown check "nope"`},
		{[]checks.Group{{Name: "core"}}, `group "core": lists no check`},
		{[]checks.Group{{Name: "redis", Checks: []string{"redis"}}}, `group "redis": has the name of a check`},
		{[]checks.Group{{Name: "a b", Checks: []string{"redis"}}}, `group "a b": invalid name`},
		{[]checks.Group{{Name: "core", Checks: []string{"redis"}}, {Name: "all", Checks: []string{"core"}}}, `group "all": lists group "core"`},
		{[]checks.Group{{Name: "c", Checks: []string{"redis"}}, {Name: "c", Checks: []string{"redis"}}}, `group "c": listed twice`},
		{[]checks.Group{{Name: "c", Checks: []string{"redis", "redis"}}}, `lists check "redis" twice`},
	} {
		err := checks.ValidateGroups(tc.groups, registered)
		if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateGroups(%v) = %v, want %q", tc.groups, err, tc.want)
		}
	}
}

// TestValidateGroupsNames: group names are safe as a path segment (ASCII
// letters, digits, '-', '_', '.', not "." or "..", at most 64 bytes); the
// error is a *ConfigError naming the group, cut to 64 bytes.
func TestValidateGroupsNames(t *testing.T) {
	registered := func(n string) bool { return n == "redis" }
	for _, name := range []string{"core", "core-2", "a_b", "v1.cache", "..x", strings.Repeat("g", 64)} {
		if err := checks.ValidateGroups([]checks.Group{{Name: name, Checks: []string{"redis"}}}, registered); err != nil {
			t.Errorf("group %q: %v", name, err)
		}
	}
	for _, name := range []string{"", ".", "..", "%2F", "a/b", "a?b", "a#b", "café", strings.Repeat("g", 65), strings.Repeat("g", 70000)} {
		err := checks.ValidateGroups([]checks.Group{{Name: name, Checks: []string{"redis"}}}, registered)
		ce, ok := errors.AsType[*checks.ConfigError](err)
		if !ok || !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(ce.Reason, "invalid name") {
			t.Errorf("group %.20q: err = %v, want an invalid name", name, err)
			continue
		}
		if len(name) <= 64 && ce.Setting != fmt.Sprintf("group %q", name) || len(ce.Setting) > 80 {
			t.Errorf("group %.20q: Setting = %.100q", name, ce.Setting)
		}
	}
}

// TestValidateGroupsFormOnly: with a nil registered, a group listing its
// own name reports the clash with a check, not an unknown check.
func TestValidateGroupsFormOnly(t *testing.T) {
	for _, tc := range []struct {
		groups []checks.Group
		want   string
	}{
		{[]checks.Group{{Name: "database", Checks: []string{"database"}}}, `group "database": has the name of a check`},
		{[]checks.Group{{Name: "core", Checks: []string{"db"}}, {Name: "all", Checks: []string{"core", "db"}}}, `group "all": lists group "core"`},
		{[]checks.Group{{Name: "core"}}, `group "core": lists no check`},
		{[]checks.Group{{Name: "..", Checks: []string{"db"}}}, `group "..": invalid name`},
	} {
		err := checks.ValidateGroups(tc.groups, nil)
		if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateGroups(%v, nil) = %v, want %q", tc.groups, err, tc.want)
		}
	}
	if err := checks.ValidateGroups([]checks.Group{{Name: "core", Checks: []string{"db", "cache"}}}, nil); err != nil {
		t.Errorf("form only: %v", err)
	}
}
