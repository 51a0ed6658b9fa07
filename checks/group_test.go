package checks_test

import (
	"errors"
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
		{[]checks.Group{{Name: "c", Checks: []string{"redis"}}, {Name: "c", Checks: []string{"redis"}}}, `group "c": listed twice`},
		{[]checks.Group{{Name: "c", Checks: []string{"redis", "redis"}}}, `lists check "redis" twice`},
	} {
		err := checks.ValidateGroups(tc.groups, registered)
		if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateGroups(%v) = %v, want %q", tc.groups, err, tc.want)
		}
	}
}
