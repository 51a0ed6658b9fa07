package redischeck_test

import (
	"crypto/tls"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/redischeck"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

// TestRedisTLS probes a real redis-server's TLS port: healthy with the
// server's CA, unhealthy without it, and unhealthy in plain TCP.
func TestRedisTLS(t *testing.T) {
	rd := testutil.StartRedisWith(t, testutil.RedisOptions{TLS: true})
	for _, tc := range []struct {
		name string
		tls  *tls.Config
		want checks.Status
	}{
		{"trusted", rd.ClientTLS(), checks.StatusHealthy},
		{"untrusted certificate", &tls.Config{MinVersion: tls.VersionTLS12}, checks.StatusUnhealthy},
		{"plain TCP to the TLS port", nil, checks.StatusUnhealthy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := checktest.Run(t, checktest.Must(redischeck.New(rd.TLSAddr(), redischeck.Config{Password: rd.Password(), TLS: tc.tls})))
			if res.Status != tc.want {
				t.Fatalf("status %v (%q), want %v", res.Status, res.Message, tc.want)
			}
			checktest.AssertNotShown(t, res, rd.Password(), rd.TLSAddr())
		})
	}
}
