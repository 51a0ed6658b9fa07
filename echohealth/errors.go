package echohealth

import (
	"errors"

	"github.com/echofx/healthcheck/httphealth"
)

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
	// ErrDuplicateRoute: Register found one of its paths already
	// registered on the *echo.Echo.
	ErrDuplicateRoute = httphealth.ErrDuplicateRoute
)

// ConfigError is the error of Register and NewJWT: Err is one of the
// sentinels above, Field names the offending setting and Detail explains.
type ConfigError struct {
	Field  string
	Err    error
	Detail string
}

// Error implements error: "echohealth: <sentinel>: <field>: <detail>".
func (e *ConfigError) Error() string {
	return (&httphealth.ConfigError{Package: pkg, Field: e.Field, Err: e.Err, Detail: e.Detail}).Error()
}

// Unwrap returns the sentinel.
func (e *ConfigError) Unwrap() error { return e.Err }

// fromCore turns httphealth's *ConfigError into this package's.
func fromCore(err error) error {
	var ce *httphealth.ConfigError
	if errors.As(err, &ce) {
		return &ConfigError{Field: ce.Field, Err: ce.Err, Detail: ce.Detail}
	}
	return err
}
