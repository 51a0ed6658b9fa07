package httphealth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/checks"
)

// The JWT defaults and limits.
const (
	// defaultLeeway is the clock skew allowed on exp, nbf and iat.
	defaultLeeway = 5 * time.Second
	// maxAuthorizationBytes bounds the Authorization header; a longer one
	// is rejected before any parsing.
	maxAuthorizationBytes = 8 << 10
	// minRSABits is the smallest RSA modulus accepted.
	minRSABits = 2048
)

// JWTConfig configures NewJWT. Tokens are read from the
// "Authorization: Bearer <token>" header only (never from the query, where
// they would end up in access logs).
type JWTConfig struct {
	// Algorithms lists the accepted "alg" values: HS256, HS384, HS512,
	// RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512,
	// EdDSA. "none" is never accepted. Default: the algorithm of each
	// configured key (HS256 for Secret; RS256, ES256/ES384/ES512 by curve
	// or EdDSA for PublicKey).
	Algorithms []string
	// Secret verifies HS* tokens. It must be at least as long as the hash
	// output: 32 bytes for HS256, 48 for HS384, 64 for HS512.
	Secret []byte
	// PublicKey verifies the asymmetric algorithms: *rsa.PublicKey (at
	// least 2048 bits) for RS*/PS*, *ecdsa.PublicKey on P-256/P-384/P-521
	// for ES256/ES384/ES512, ed25519.PublicKey for EdDSA.
	PublicKey crypto.PublicKey
	// KeySet, when set, looks the verification key up by the token's
	// header ("kid") for the asymmetric algorithms, e.g. in an identity
	// provider's JWKS (see KeySet); it excludes Secret and PublicKey, and
	// its keys pass the same type, size and curve checks as PublicKey.
	// Algorithms then default to RS256.
	KeySet KeySet
	// KeyWait bounds a KeySet lookup within the request's own context:
	// no request waits longer for a key (an unknown kid may make the set
	// refresh). Zero means DefaultKeyWait (1 s); negative is an error.
	KeyWait time.Duration
	// Issuer, when set, must equal the token's "iss".
	Issuer string
	// Audience, when set, must be one of the token's "aud".
	Audience string
	// RequiredScope, when set, must be one of the space-separated scopes
	// of the token's "scope" claim (OAuth 2.0, RFC 8693) or of its "scp"
	// claim (a string or an array of strings).
	RequiredScope string
	// Leeway is the clock skew allowed on exp, nbf and iat. Zero means
	// 5 s; negative is an error.
	Leeway time.Duration
	// MaxAge, when positive, bounds a token's lifetime: it must carry
	// "iat", and exp - iat must not exceed MaxAge, so a token minted to
	// live for a year is refused. Zero (the default) sets no bound;
	// negative is an error.
	MaxAge time.Duration
	// Logger receives each rejection's reason at Debug level (never the
	// token). Nil means slog.Default() at the time of the request.
	Logger *slog.Logger
}

// JWT verifies bearer tokens. Every token must carry "exp"; "nbf" and
// "iat" are checked when present. A token whose header lists any "crit"
// extension is refused (RFC 7515 §4.1.11: this verifier understands none),
// and so is one whose "typ" is present and not "JWT" (any case). Build it with NewJWT; it is safe for
// concurrent use. A nil *JWT denies every request.
type JWT struct {
	parser *jwt.Parser
	keys   map[string]any // by alg, type checked at construction
	scope  string
	maxAge time.Duration
	logger *slog.Logger
	// keySet, when set, gives the keys of every algorithm in keys (whose
	// values are then nil), each lookup bounded by keyWait.
	keySet  KeySet
	keyWait time.Duration
}

var _ Authenticator = (*JWT)(nil)

// NewJWT validates cfg and returns the verifier. Errors are
// *checks.ConfigError naming the JWTConfig field, with Err ErrNoKey,
// ErrKeyMismatch, ErrBadAlgorithm, checks.ErrInvalidConfig or, for a key
// too weak, an unexported sentinel; NewJWT never panics on a bad configuration.
func NewJWT(cfg JWTConfig) (*JWT, error) {
	if cfg.Leeway < 0 {
		return nil, configErr("Leeway", checks.ErrInvalidConfig, "negative")
	}
	if cfg.MaxAge < 0 {
		return nil, configErr("MaxAge", checks.ErrInvalidConfig, "negative")
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = defaultLeeway
	}
	if cfg.KeyWait < 0 {
		return nil, configErr("KeyWait", checks.ErrInvalidConfig, "negative")
	}
	if cfg.KeyWait == 0 {
		cfg.KeyWait = DefaultKeyWait
	}
	if strings.ContainsAny(cfg.RequiredScope, " \t\r\n") {
		return nil, configErr("RequiredScope", checks.ErrInvalidConfig, "must be a single scope")
	}
	hasSecret := len(cfg.Secret) > 0
	hasPublic := !isNil(cfg.PublicKey)
	if !isNil(cfg.KeySet) {
		if hasSecret || hasPublic {
			return nil, configErr("KeySet", ErrKeyMismatch, "set with Secret or PublicKey: use one key source")
		}
		return newKeySetJWT(cfg)
	}
	if !hasSecret && !hasPublic {
		return nil, configErr("Secret, PublicKey", ErrNoKey, "neither is set")
	}
	algs := cfg.Algorithms
	if len(algs) == 0 {
		if hasSecret {
			algs = append(algs, jwt.SigningMethodHS256.Alg())
		}
		if hasPublic {
			alg, err := defaultAlgorithm(cfg.PublicKey)
			if err != nil {
				return nil, err
			}
			algs = append(algs, alg)
		}
	}
	keys := make(map[string]any, len(algs))
	usedSecret, usedPublic := false, false
	for _, alg := range algs {
		if _, dup := keys[alg]; dup {
			continue
		}
		key, err := keyFor(alg, cfg.Secret, cfg.PublicKey)
		if err != nil {
			return nil, err
		}
		if _, ok := key.([]byte); ok {
			usedSecret = true
		} else {
			usedPublic = true
		}
		keys[alg] = key
	}
	if hasSecret && !usedSecret {
		return nil, configErr("Secret", ErrKeyMismatch, "set, but no HS* algorithm is configured")
	}
	if hasPublic && !usedPublic {
		return nil, configErr("PublicKey", ErrKeyMismatch, "set, but no asymmetric algorithm is configured")
	}
	return &JWT{
		parser: newParser(keys, cfg),
		keys:   keys,
		scope:  cfg.RequiredScope,
		maxAge: cfg.MaxAge,
		logger: cfg.Logger,
	}, nil
}

// newParser returns the parser accepting the algorithms of keys under the
// rules of cfg.
func newParser(keys map[string]any, cfg JWTConfig) *jwt.Parser {
	valid := make([]string, 0, len(keys))
	for alg := range keys {
		valid = append(valid, alg)
	}
	slices.Sort(valid)

	opts := []jwt.ParserOption{
		jwt.WithValidMethods(valid),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	return jwt.NewParser(opts...)
}

// Authenticate verifies the request's bearer token (an Authorization
// header longer than 8 KiB is refused before any parsing). Its error wraps
// ErrUnauthorized and is logged at Debug level without the token.
func (j *JWT) Authenticate(r *http.Request) error {
	if j == nil || j.parser == nil {
		return fmt.Errorf("%w: nil verifier", ErrUnauthorized)
	}
	ctx := r.Context()
	if j.keySet != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, j.keyWait)
		defer cancel()
	}
	err := j.verify(ctx, r.Header)
	if err != nil {
		logger := j.logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.DebugContext(r.Context(), "healthcheck: bearer token rejected",
			slog.String("reason", err.Error()),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("remote", r.RemoteAddr))
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	return nil
}

// Middleware wraps next so that it runs only for requests with a valid
// token; others get Unauthorized (the same 401 as the detailed routes).
func (j *JWT) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !authenticate(j, r) {
			writeUnauthorized(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var (
	errNoToken       = errors.New("no bearer token")
	errManyTokens    = errors.New("more than one Authorization header")
	errHeaderTooLong = errors.New("authorization header too long")
	errScheme        = errors.New("authorization scheme is not Bearer")
	errAlgorithm     = errors.New("unexpected signing method")
	errScope         = errors.New("required scope missing")
	errCrit          = errors.New("critical header extension not understood")
	errType          = errors.New(`"typ" header is not JWT`)
	errMaxAge        = errors.New("token lifetime exceeds the maximum")
)

func (j *JWT) verify(ctx context.Context, h http.Header) error {
	_, err := j.verifyClaims(ctx, h)
	return err
}

// verifyClaims verifies the request's token and returns its claims.
func (j *JWT) verifyClaims(ctx context.Context, h http.Header) (jwt.MapClaims, error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0:
		return nil, errNoToken
	case len(values) > 1:
		return nil, errManyTokens
	}
	tok, err := bearer(values[0])
	if err != nil {
		return nil, err
	}
	claims := jwt.MapClaims{}
	keyFunc := j.keyFunc
	if j.keySet != nil {
		keyFunc = j.keySetKeyFunc(ctx)
	}
	t, err := j.parser.ParseWithClaims(tok, claims, keyFunc)
	if err != nil {
		return nil, err
	}
	if _, ok := t.Header["crit"]; ok {
		return nil, errCrit
	}
	if typ, ok := t.Header["typ"]; ok {
		if s, isStr := typ.(string); !isStr || !strings.EqualFold(s, "JWT") {
			return nil, errType
		}
	}
	if j.maxAge > 0 && !withinMaxAge(claims, j.maxAge) {
		return nil, errMaxAge
	}
	if j.scope != "" && !hasScope(claims, j.scope) {
		return nil, errScope
	}
	return claims, nil
}

// bearer extracts the token of an "Authorization: Bearer <token>" value.
func bearer(v string) (string, error) {
	if len(v) > maxAuthorizationBytes {
		return "", errHeaderTooLong
	}
	const scheme = "bearer "
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		if strings.TrimSpace(v) == "" {
			return "", errNoToken
		}
		return "", errScheme
	}
	tok := strings.TrimSpace(v[len(scheme):])
	if tok == "" {
		return "", errNoToken
	}
	return tok, nil
}

// keyFunc returns the key configured for the token's algorithm, after
// checking that the method's family matches the key's type, so a key can
// never be used by another family (RS256 public key as an HS256 secret).
func (j *JWT) keyFunc(t *jwt.Token) (any, error) {
	key, ok := j.keys[t.Method.Alg()]
	if !ok {
		return nil, errAlgorithm
	}
	switch t.Method.(type) {
	case *jwt.SigningMethodHMAC:
		ok = isType[[]byte](key)
	case *jwt.SigningMethodRSA, *jwt.SigningMethodRSAPSS:
		ok = isType[*rsa.PublicKey](key)
	case *jwt.SigningMethodECDSA:
		ok = isType[*ecdsa.PublicKey](key)
	case *jwt.SigningMethodEd25519:
		ok = isType[ed25519.PublicKey](key)
	default:
		ok = false
	}
	if !ok {
		return nil, errAlgorithm
	}
	return key, nil
}

// hasScope reports whether the "scope" (space-separated string) or "scp"
// (string or array of strings) claim contains want.
func hasScope(claims jwt.MapClaims, want string) bool {
	for _, name := range [...]string{"scope", "scp"} {
		switch v := claims[name].(type) {
		case string:
			if slices.Contains(strings.Fields(v), want) {
				return true
			}
		case []any:
			for _, s := range v {
				if s == want {
					return true
				}
			}
		}
	}
	return false
}

// withinMaxAge reports whether claims carry "iat" and exp - iat <= max.
func withinMaxAge(claims jwt.MapClaims, max time.Duration) bool {
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil {
		return false
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return false
	}
	return exp.Sub(iat.Time) <= max
}
