package healthfx_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/healthfx"
)

// A Config printed or logged never shows a secret or a URL that may
// carry credentials.
func TestConfigPrintsNoSecret(t *testing.T) {
	cfg := healthfx.DefaultConfig()
	cfg.JWTSecret = "jwt-secret-0123456789abcdef0123456789"
	cfg.WebhookSecret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="
	cfg.JWTJWKSURL = "https://idp-user:idp-pw@idp.test/jwks"
	cfg.AlertmanagerURLs = []string{"https://am-user:am-pw@am.test"}
	cfg.WebhookURLs = []healthfx.NamedURL{{Name: "ops", URL: "https://hooks.test/T0/B0/xoxb-token"}}
	cfg.ExternalURLs = []healthfx.NamedURL{{Name: "pay", URL: "https://pay.test/health?api_key=pay-key"}}
	cfg.DownstreamURLs = []healthfx.NamedURL{{Name: "orders", URL: "http://u:down-pw@orders:8788/healthcheck/"}}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", cfg)
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg), "String": cfg.String(), "slog": logged.String(),
	} {
		for _, secret := range []string{"jwt-secret", "whsec_", "idp-pw", "am-pw", "xoxb-token", "pay-key", "down-pw"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s of a Config shows %q: %s", name, secret, out)
			}
		}
		if !strings.Contains(out, "ops") || !strings.Contains(out, "[REDACTED]") {
			t.Errorf("%s of a Config lost the names or the redaction marks: %s", name, out)
		}
	}
	if cfg.JWTSecret == "[REDACTED]" {
		t.Error("String changed the Config it was called on")
	}
}
