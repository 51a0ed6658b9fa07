package alerting

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/secret"
)

// WebhookFormat is the body a webhook sink sends.
type WebhookFormat uint8

const (
	// FormatJSON sends the WebhookPayload (the default).
	FormatJSON WebhookFormat = iota
	// FormatSlack sends {"text": "..."}, which Slack's incoming webhooks
	// (and Mattermost, Rocket.Chat, Discord's /slack endpoint) accept.
	FormatSlack
)

// WebhookConfig configures Webhook. Zero fields take the defaults.
type WebhookConfig struct {
	// Format of the body. Default FormatJSON.
	Format WebhookFormat
	// Secret, when set, signs every request per Standard Webhooks
	// (standardwebhooks.com) with header webhook-signature
	// "v1,<base64 HMAC-SHA256 of id.timestamp.body>". Every request, signed
	// or not, carries webhook-id (the event's ID, the same on retries) and
	// webhook-timestamp (Unix seconds of the attempt).
	// Give it as the spec does, "whsec_" followed by the base64 of the key
	// (the decoded bytes are the HMAC key), or as plain text (its bytes are
	// the key). The key must be 32 to 64 bytes (Standard Webhooks allows 24
	// to 64; 32 is the JWT secret's minimum, the size of HMAC-SHA256), not
	// blank and not one byte repeated. It never appears in an
	// error, a log line or a metric.
	Secret string
	// Header is added to every request. Never logged.
	Header http.Header
	// Client sends the requests. Default: a client of the sink's own (no
	// redirects, at most 2 connections, idle ones closed at Stop).
	Client *http.Client
	// RepeatInterval, QueueSize and Timeout: see Sink.
	RepeatInterval time.Duration
	QueueSize      int
	Timeout        time.Duration
}

// parseWebhookSecret returns the HMAC key of a Standard Webhooks secret:
// the base64-decoded rest of "whsec_<base64>", else the bytes of s. The
// key must be 32 to 64 bytes, not blank and not one byte repeated (the JWT
// secret's rule, internal/secret). Otherwise the error is a *checks.ConfigError
// (Setting "WebhookConfig.Secret", Reason what is wrong), which never
// repeats s.
func parseWebhookSecret(s string) ([]byte, error) {
	key := []byte(s)
	if rest, ok := strings.CutPrefix(s, "whsec_"); ok {
		b, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, &checks.ConfigError{Package: "alerting", Setting: "WebhookConfig.Secret", Reason: "the part after whsec_ is not standard base64"}
		}
		key = b
	}
	if len(key) > 64 {
		return nil, &checks.ConfigError{Package: "alerting", Setting: "WebhookConfig.Secret", Reason: fmt.Sprintf("want a key of 32 to 64 bytes, got %d", len(key))}
	}
	if why := secret.Unfit(key); why != "" {
		return nil, &checks.ConfigError{Package: "alerting", Setting: "WebhookConfig.Secret", Reason: "the key is " + why}
	}
	return key, nil
}

// Sign returns the Standard Webhooks signature header value of a message:
// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
func sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Webhook returns a sink named name posting every event to rawURL, as a
// JSON WebhookPayload or a Slack-compatible text (cfg.Format), signed when
// cfg.Secret is set. A 2xx answer is a delivery; 5xx, 408, 429 and
// network errors are retried (after Retry-After on a 429 or 503, at most
// the repeat interval); other answers (and redirects, which are not
// followed) fail the event. Every request carries the headers webhook-id
// and webhook-timestamp (see WebhookConfig.Secret). An empty name, a URL
// that is not absolute http or https, or an invalid secret give a
// *checks.ConfigError, which never repeats the URL or the secret.
func Webhook(name, rawURL string, cfg WebhookConfig) (Sink, error) {
	if name == "" {
		return Sink{}, &checks.ConfigError{Package: "alerting", Setting: "Webhook name", Reason: "empty"}
	}
	if _, err := parseURL(fmt.Sprintf("Webhook %q URL", name), rawURL); err != nil {
		return Sink{}, err
	}
	p := &webhookPublisher{url: rawURL, format: cfg.Format, header: cfg.Header, httpSink: httpSink{cfg.Client}}
	if cfg.Secret != "" {
		key, err := parseWebhookSecret(cfg.Secret)
		if err != nil {
			return Sink{}, fmt.Errorf("webhook %q: %w", name, err)
		}
		p.key = key
	}
	if p.client == nil {
		p.client = newClient()
	}
	return Sink{Name: name, Publisher: p, RepeatInterval: cfg.RepeatInterval,
		QueueSize: cfg.QueueSize, Timeout: cfg.Timeout}, nil
}

type webhookPublisher struct {
	httpSink
	url    string
	format WebhookFormat
	header http.Header
	key    []byte
}

// Publish posts the event.
func (p *webhookPublisher) Publish(ctx context.Context, e Event) error {
	var body []byte
	var err error
	if p.format == FormatSlack {
		body, err = json.Marshal(map[string]string{"text": slackText(e)})
	} else {
		body, err = json.Marshal(e.payload())
	}
	if err != nil {
		return checks.Permanent(err)
	}
	h := p.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	ts := time.Now().Unix()
	h.Set("webhook-id", e.ID)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	if p.key != nil {
		h.Set("webhook-signature", sign(p.key, e.ID, ts, body))
	}
	return post(ctx, p.client, p.url, body, h)
}

// slackText is the text of the Slack format: an emoji by severity and
// state, then Event.Summary, the severity, and the status page link when
// known. Slack's mrkdwn control characters (&, <, >) are escaped.
func slackText(e Event) string {
	icon := ":large_green_circle:"
	switch {
	case e.Firing && e.Severity == SeverityCritical:
		icon = ":red_circle:"
	case e.Firing:
		icon = ":large_yellow_circle:"
	}
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	s := icon + " " + esc.Replace(e.Summary()) + " (" + string(e.Severity) + ")"
	if e.Repeat {
		s += " [still firing]"
	}
	if e.URL != "" {
		s += " <" + esc.Replace(e.URL) + "|status>"
	}
	return s
}
