package httphealth

import "errors"

// Sentinel errors returned (wrapped in a *ConfigError) by New and NewJWT,
// and by the Echo adapters built on them; test them with errors.Is.
var (
	// ErrInvalidConfig: a nil runner, an invalid prefix, level, failure
	// status or path, or WithDetailed(nil).
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrNoKey: a JWT algorithm has no key to verify with (no Secret for
	// HS*, no PublicKey for the others), or no key was given at all.
	ErrNoKey = errors.New("no verification key")
	// ErrWeakKey: the HMAC Secret is shorter than the hash output (32
	// bytes for HS256, 48 for HS384, 64 for HS512), blank, or one byte
	// repeated, or the RSA key is shorter than 2048 bits.
	ErrWeakKey = errors.New("key too weak")
	// ErrKeyMismatch: PublicKey's type does not fit an algorithm (RS*/PS*
	// need *rsa.PublicKey, ES256/384/512 an *ecdsa.PublicKey on
	// P-256/P-384/P-521, EdDSA an ed25519.PublicKey), or a key is given
	// that no configured algorithm uses.
	ErrKeyMismatch = errors.New("key does not match algorithm")
	// ErrBadAlgorithm: an unknown algorithm, or "none".
	ErrBadAlgorithm = errors.New("unsupported algorithm")
	// ErrDuplicateRoute: a route this package would add is already
	// registered on the router (same method and path). The error names
	// the path; nothing is replaced.
	ErrDuplicateRoute = errors.New("route already registered")
)

// ConfigError is the error of New, NewJWT and the adapters' Register: Err
// is one of the sentinels above, Field names the offending setting (an
// option such as "WithPrefix", or a JWTConfig field) and Detail explains.
// Package names the package that reports it (default "httphealth"); its
// text never holds a secret.
type ConfigError struct {
	Package string
	Field   string
	Err     error
	Detail  string
}

// Error implements error: "<package>: <sentinel>: <field>: <detail>".
func (e *ConfigError) Error() string {
	pkg := e.Package
	if pkg == "" {
		pkg = "httphealth"
	}
	msg := pkg + ": " + e.Err.Error()
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

// WithPackage returns err with the Package of every *ConfigError in its
// chain set to pkg, so an adapter's errors name the adapter. Other errors
// are returned as they are.
func WithPackage(err error, pkg string) error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		c := *ce
		c.Package = pkg
		return &c
	}
	return err
}
