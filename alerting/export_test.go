package alerting

// Unexported names the external tests use.
var (
	WithRetry      = withRetry
	DefaultTimeout = defaultTimeout
)

// Payload is payload, for the external tests.
func (e Event) Payload() WebhookPayload { return e.payload() }
