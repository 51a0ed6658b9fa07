package alerting

// Unexported names the external tests use.
var (
	WithRetry      = withRetry
	WithFlapping   = withFlapping
	DefaultTimeout = defaultTimeout
)

// Payload is payload, for the external tests.
func (e Event) Payload() WebhookPayload { return e.payload() }
