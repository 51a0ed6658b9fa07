package secret_test

import (
	"strings"
	"testing"

	"github.com/echofx/healthcheck/internal/secret"
)

func TestWeak(t *testing.T) {
	for s, want := range map[string]string{
		"   \t":     "blank or white space only",
		"aaaaaaaa":  "one byte repeated",
		"k3y-0123x": "",
		"ab":        "", // length is Unfit's rule
	} {
		if got := secret.Weak([]byte(s)); got != want {
			t.Errorf("Weak(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestUnfit(t *testing.T) {
	for _, tt := range []struct {
		key, want string
	}{
		{"", "blank or white space only"},
		{strings.Repeat(" ", 40), "blank or white space only"},
		{strings.Repeat("a", 64), "one byte repeated"},
		{"0123456789abcdef0123456789abcde", "shorter than 32 bytes (got 31)"},
		{"0123456789abcdef0123456789abcdef", ""},
		{strings.Repeat("ab", 100), ""},
	} {
		if got := secret.Unfit([]byte(tt.key)); got != tt.want {
			t.Errorf("Unfit(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
