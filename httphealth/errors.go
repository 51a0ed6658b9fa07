package httphealth

import (
	"errors"

	"github.com/echofx/healthcheck/checks"
)

// Sentinels in the Err of the *checks.ConfigError that New, NewJWT, Mount
// and the Echo adapters return, for callers that branch on the kind of
// failure (healthfx names HEALTH_JWT_ALGORITHMS for ErrNoKey,
// ErrKeyMismatch and ErrBadAlgorithm; an app mounting twice tells a route
// conflict from a bad setting). Every
// configuration error, with or without one of these, matches
// errors.Is(err, checks.ErrInvalidConfig).
var (
	// ErrNoKey: a JWT algorithm has no key to verify with (no Secret for
	// HS*, no PublicKey for the others), or no key was given at all.
	ErrNoKey = errors.New("no verification key")
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

// errWeakKey is the Err of a weak key's error: the HMAC Secret is shorter
// than the hash output (32 bytes for HS256, 48 for HS384, 64 for HS512),
// blank, or one byte repeated, or the RSA key is shorter than 2048 bits.
// No caller branches on it, so it is not exported; it keeps the error's
// text "httphealth: key too weak: Secret: …".
var errWeakKey = errors.New("key too weak")

// configErr is this package's *checks.ConfigError: "httphealth: <err>:
// <setting>: <reason>". Plain invalid settings carry
// checks.ErrInvalidConfig as err, so their text reads "httphealth:
// invalid configuration: WithPrefix: …".
func configErr(setting string, err error, reason string) error {
	return &checks.ConfigError{Package: "httphealth", Setting: setting, Err: err, Reason: reason}
}
