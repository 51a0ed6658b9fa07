// Package secret holds the rule that refuses an obviously weak shared
// secret, for every package of this module that takes one (httphealth's
// HMAC JWT key, healthfx's HEALTH_JWT_SECRET, alerting's webhook secret and
// HEALTH_WEBHOOK_SECRET). It is internal: each package names its own
// setting in its error.
package secret

import (
	"bytes"
	"strconv"
)

// MinBytes is the shortest acceptable HMAC key: 32 bytes, the output size
// of HMAC-SHA256 (RFC 7518 section 3.2 asks at least that for HS256; the
// longer hashes ask their own output size, which their users check).
const MinBytes = 32

// Weak returns why secret is unfit as a key whatever its length (it is
// blank or all white space, or one byte repeated), or "" when it is not
// obviously weak.
func Weak(secret []byte) string {
	if len(bytes.TrimSpace(secret)) == 0 {
		return "blank or white space only"
	}
	if bytes.Count(secret, secret[:1]) == len(secret) {
		return "one byte repeated"
	}
	return ""
}

// Unfit returns why key is unfit as an HMAC key (Weak's reasons, or
// shorter than MinBytes: "shorter than 32 bytes (got 24)"), or "" when it
// is fit. It never repeats the key. alerting's webhook secret uses it.
func Unfit(key []byte) string {
	if w := Weak(key); w != "" {
		return w
	}
	if len(key) < MinBytes {
		return "shorter than 32 bytes (got " + strconv.Itoa(len(key)) + ")"
	}
	return ""
}
