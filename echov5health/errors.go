package echov5health

import "github.com/echofx/healthcheck/httphealth"

// Sentinel errors returned (wrapped) by Register and NewJWT; test them with
// errors.Is. They are httphealth's, so one errors.Is serves every adapter.
var (
	// ErrInvalidConfig: Register got a nil router or runner, an invalid
	// prefix, level or failure status, or WithDetailed(nil).
	ErrInvalidConfig = httphealth.ErrInvalidConfig
	// ErrNoKey: a JWT algorithm has no key to verify with.
	ErrNoKey = httphealth.ErrNoKey
	// ErrWeakKey: the HMAC Secret is too short, blank or one byte
	// repeated, or the RSA key is shorter than 2048 bits.
	ErrWeakKey = httphealth.ErrWeakKey
	// ErrKeyMismatch: PublicKey's type does not fit an algorithm, or a
	// key is given that no configured algorithm uses.
	ErrKeyMismatch = httphealth.ErrKeyMismatch
	// ErrBadAlgorithm: an unknown algorithm, or "none".
	ErrBadAlgorithm = httphealth.ErrBadAlgorithm
	// ErrDuplicateRoute: one of Register's routes (method and path) is
	// already registered; nothing is replaced.
	ErrDuplicateRoute = httphealth.ErrDuplicateRoute
)

// ConfigError is the error of Register and NewJWT (httphealth's, with
// Package "echov5health"): Err is one of the sentinels above, Field names
// the offending setting and Detail explains.
type ConfigError = httphealth.ConfigError
