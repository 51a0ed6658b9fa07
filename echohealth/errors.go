package echohealth

import "errors"

// Sentinel errors returned (wrapped) by Register and NewJWT; test them with
// errors.Is.
var (
	// ErrInvalidConfig: Register got a nil router or runner, an invalid
	// prefix, level or failure status, or WithDetailed(nil).
	ErrInvalidConfig = errors.New("echohealth: invalid configuration")
	// ErrNoKey: a JWT algorithm has no key to verify with (no Secret for
	// HS*, no PublicKey for the others), or no key was given at all.
	ErrNoKey = errors.New("echohealth: no verification key")
	// ErrWeakKey: the HMAC Secret is shorter than the hash output (32
	// bytes for HS256, 48 for HS384, 64 for HS512) or the RSA key is
	// shorter than 2048 bits.
	ErrWeakKey = errors.New("echohealth: key too weak")
	// ErrKeyMismatch: PublicKey's type does not fit an algorithm (RS*/PS*
	// need *rsa.PublicKey, ES256/384/512 an *ecdsa.PublicKey on
	// P-256/P-384/P-521, EdDSA an ed25519.PublicKey), or a key is given
	// that no configured algorithm uses.
	ErrKeyMismatch = errors.New("echohealth: key does not match algorithm")
	// ErrBadAlgorithm: an unknown algorithm, or "none".
	ErrBadAlgorithm = errors.New("echohealth: unsupported algorithm")
)

// ConfigError is the error of Register and NewJWT: Err is one of the
// sentinels above, Field names the offending setting and Detail explains.
type ConfigError struct {
	Field  string
	Err    error
	Detail string
}

// Error implements error.
func (e *ConfigError) Error() string {
	msg := e.Err.Error()
	if e.Field != "" {
		msg += ": " + e.Field
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(field string, err error, detail string) error {
	return &ConfigError{Field: field, Err: err, Detail: detail}
}
