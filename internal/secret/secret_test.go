package secret_test

import (
	"testing"

	"github.com/echofx/healthcheck/internal/secret"
)

func TestWeak(t *testing.T) {
	for s, want := range map[string]string{
		"   \t":     "blank or white space only",
		"aaaaaaaa":  "one byte repeated",
		"k3y-0123x": "",
	} {
		if got := secret.Weak([]byte(s)); got != want {
			t.Errorf("Weak(%q) = %q, want %q", s, got, want)
		}
	}
}
