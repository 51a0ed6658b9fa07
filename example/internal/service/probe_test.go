package service

import (
	"testing"

	"github.com/echofx/healthcheck/probe"
)

// TestOwnProbeURL: without a URL the probe targets the service's own
// HTTP_ADDR, an address on every interface through 127.0.0.1.
func TestOwnProbeURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"", DefaultProbeURL},
		{":8788", "http://127.0.0.1:8788/healthcheck/"},
		{":9000", "http://127.0.0.1:9000/healthcheck/"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/healthcheck/"},
		{"[::]:9000", "http://127.0.0.1:9000/healthcheck/"},
		{"127.0.0.2:9000", "http://127.0.0.2:9000/healthcheck/"},
		{"[::1]:9000", "http://[::1]:9000/healthcheck/"},
		{"localhost:9000", "http://localhost:9000/healthcheck/"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := probe.DefaultURL(probe.WithGetenv(func(k string) string {
				if k == "HTTP_ADDR" {
					return tt.addr
				}
				return ""
			}))
			if err != nil || got != tt.want {
				t.Fatalf("HTTP_ADDR=%q: %q, %v; want %q", tt.addr, got, err, tt.want)
			}
		})
	}
}
