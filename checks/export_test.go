package checks

// What the external tests (package checks_test) read of the unexported
// API.
var (
	ErrInvalidCheckForTest      = errInvalidCheck
	ErrDuplicateCheckForTest    = errDuplicateCheck
	ErrUnknownDependencyForTest = errUnknownDependency
	ErrDependencyCycleForTest   = errDependencyCycle
)

// Sizes the external tests check against.
const (
	MaxTrendTransitionsForTest = maxTrendTransitions
	TrendShortBucketsForTest   = trendShortBuckets
)

// WithTrendTransitions sets how many status transitions are kept per check
// for Trends; no user outside the package needs it.
var WithTrendTransitionsForTest = withTrendTransitions
