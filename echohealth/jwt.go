package echohealth

import (
	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/httphealth"
)

// JWT defaults and limits.
const (
	// DefaultLeeway is the clock skew allowed on exp, nbf and iat.
	DefaultLeeway = httphealth.DefaultLeeway
	// MaxAuthorizationBytes bounds the Authorization header; a longer one
	// is rejected before any parsing.
	MaxAuthorizationBytes = httphealth.MaxAuthorizationBytes
	// MinRSABits is the smallest RSA modulus accepted.
	MinRSABits = httphealth.MinRSABits
)

// JWTConfig configures NewJWT; see httphealth.JWTConfig for its fields
// and their defaults.
type JWTConfig = httphealth.JWTConfig

// JWT verifies bearer tokens for Echo v4 (httphealth.JWT does the
// verifying: every token must carry "exp"; "nbf" and "iat" are checked
// when present; unknown "crit" headers and a "typ" other than JWT are
// refused). Build it with NewJWT; it is safe for concurrent use. A nil
// *JWT denies every request.
type JWT struct {
	core *httphealth.JWT
}

var _ Authenticator = (*JWT)(nil)

// NewJWT validates cfg and returns the verifier. Errors are *ConfigError
// wrapping ErrNoKey, ErrWeakKey, ErrKeyMismatch, ErrBadAlgorithm or
// ErrInvalidConfig; NewJWT never panics on a bad configuration.
func NewJWT(cfg JWTConfig) (*JWT, error) {
	j, err := httphealth.NewJWT(cfg)
	if err != nil {
		return nil, fromCore(err)
	}
	return &JWT{core: j}, nil
}

// Authenticate verifies the request's bearer token. Its error wraps
// ErrUnauthorized and is logged at Debug level without the token.
func (j *JWT) Authenticate(c echo.Context) error {
	var core *httphealth.JWT
	if j != nil {
		core = j.core
	}
	return core.Authenticate(c.Request())
}

// Middleware returns an Echo middleware that answers 401 (the same body
// and headers as the detailed routes) unless the request carries a valid
// token. Attach it per route, not with Use on a group.
func (j *JWT) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if j.Authenticate(c) != nil {
				httphealth.Unauthorized.ServeHTTP(c.Response(), c.Request())
				return nil
			}
			return next(c)
		}
	}
}
