package lifecycle

// Unexported names the external tests use.
var (
	WithClock            = withClock
	WithRand             = withRand
	ErrAttemptsExhausted = errAttemptsExhausted
	ErrMaxWaitExceeded   = errMaxWaitExceeded
	ErrAlreadyStarted    = errAlreadyStarted
	ErrStopped           = errStopped
	DefaultMaintenance   = defaultMaintenance
	MaxMaintenance       = maxMaintenance
)
