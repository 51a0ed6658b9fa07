package service

import "testing"

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
			got, err := ownProbeURL(tt.addr)
			if err != nil || got != tt.want {
				t.Fatalf("ownProbeURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
			}
		})
	}
	if _, err := ownProbeURL("8788"); err == nil || err.Error()[:9] != "HTTP_ADDR" {
		t.Fatalf("ownProbeURL(\"8788\"): %v, want an error naming HTTP_ADDR", err)
	}
}
