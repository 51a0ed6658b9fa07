package healthfx

import (
	"fmt"
	"log/slog"
)

// redacted stands for a secret setting that is set.
const redacted = "[REDACTED]"

// withoutSecrets returns a copy of c fit to log or print (see String).
func (c Config) withoutSecrets() Config {
	secret := func(s *string) {
		if *s != "" {
			*s = redacted
		}
	}
	secret(&c.JWTSecret)
	secret(&c.WebhookSecret)
	secret(&c.JWTJWKSURL)
	names := func(in []NamedURL) []NamedURL {
		out := make([]NamedURL, len(in))
		for i, n := range in {
			out[i] = NamedURL{Name: n.Name, URL: redacted}
		}
		return out
	}
	c.ExternalURLs = names(c.ExternalURLs)
	c.DownstreamURLs = names(c.DownstreamURLs)
	c.WebhookURLs = names(c.WebhookURLs)
	am := make([]string, len(c.AlertmanagerURLs))
	for i := range am {
		am[i] = redacted
	}
	c.AlertmanagerURLs = am
	return c
}

// String prints c (fmt.Stringer) with its secrets redacted: JWTSecret and
// WebhookSecret read "[REDACTED]" when set, and the URLs that may carry
// credentials in their user info or query (ExternalURLs, DownstreamURLs,
// AlertmanagerURLs, WebhookURLs, JWTJWKSURL) keep only their names. So
// printing a Config never shows a secret; c itself is not changed.
func (c Config) String() string {
	type plain Config // without the String method
	return fmt.Sprintf("%+v", plain(c.withoutSecrets()))
}

// LogValue makes slog log c with its secrets redacted, as String prints
// it (slog.LogValuer).
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
