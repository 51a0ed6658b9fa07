package checks

// What the external tests (package checks_test) read of the unexported
// API.
var (
	ErrInvalidCheckForTest      = errInvalidCheck
	ErrDuplicateCheckForTest    = errDuplicateCheck
	ErrUnknownDependencyForTest = errUnknownDependency
	ErrDependencyCycleForTest   = errDependencyCycle
	ErrPermanentForTest         = errPermanent
)

// Sizes the external tests check against.
const (
	MaxTrendTransitionsForTest = maxTrendTransitions
	TrendShortBucketsForTest   = trendShortBuckets
)
