// Package secret holds the rule that refuses an obviously weak shared
// secret, for every package of this module that takes one (httphealth's
// HMAC JWT key, healthfx's HEALTH_JWT_SECRET).
package secret

import "bytes"

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
