package httphealth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultKeyWait is JWTConfig.KeyWait's default: the longest a request
// waits for a KeySet lookup. It is exported for a KeySet of the app's own
// that bounds its fetches to what a request will wait.
const DefaultKeyWait = time.Second

// KeySet looks verification keys up by a token's header, e.g. from an
// identity provider's JWKS. keyfunc.Keyfunc of
// github.com/MicahParks/keyfunc/v3 implements it (healthfx builds one from
// HEALTH_JWT_JWKS_URL, with bounded reads and retries). KeyfuncCtx's
// function must honour ctx, which carries the request's context bounded
// by JWTConfig.KeyWait: a lookup that waits for a fetch returns when ctx
// ends, and the fetch, if it must go on, goes on in the background. It
// may return a key or a jwt.VerificationKeySet (a token without "kid").
type KeySet interface {
	// KeyfuncCtx returns the jwt.Keyfunc that finds a token's key, bounded
	// by ctx (see above).
	KeyfuncCtx(ctx context.Context) jwt.Keyfunc
}

var errKeySetAlgorithm = errors.New("algorithm unfit for a key set")

// newKeySetJWT is NewJWT for cfg.KeySet (Secret and PublicKey unset):
// asymmetric algorithms only, RS256 by default.
func newKeySetJWT(cfg JWTConfig) (*JWT, error) {
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	keys := make(map[string]any, len(algs))
	for _, alg := range algs {
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA":
			keys[alg] = nil
		case "HS256", "HS384", "HS512":
			return nil, configErr("Algorithms", ErrKeyMismatch, alg+" cannot be verified with a KeySet (public keys only)")
		default:
			return nil, configErr("Algorithms", ErrBadAlgorithm, fmt.Sprintf("%q", alg))
		}
	}
	return &JWT{
		parser:  newParser(keys, cfg),
		keys:    keys,
		scope:   cfg.RequiredScope,
		maxAge:  cfg.MaxAge,
		logger:  cfg.Logger,
		keySet:  cfg.KeySet,
		keyWait: cfg.KeyWait,
	}, nil
}

// keySetKeyFunc looks the token's key up in the key set under ctx, then
// checks it as a configured PublicKey is checked (type for the
// algorithm's family, RSA size, ECDSA curve), so a key of the set can
// never verify another family's token.
func (j *JWT) keySetKeyFunc(ctx context.Context) jwt.Keyfunc {
	lookup := j.keySet.KeyfuncCtx(ctx)
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if _, ok := j.keys[alg]; !ok {
			return nil, errAlgorithm
		}
		key, err := lookup(t)
		if err != nil {
			return nil, fmt.Errorf("key set: %w", err)
		}
		if set, ok := key.(jwt.VerificationKeySet); ok {
			var fit jwt.VerificationKeySet
			for _, k := range set.Keys {
				if _, err := keyFor(alg, nil, k); err == nil {
					fit.Keys = append(fit.Keys, k)
				}
			}
			if len(fit.Keys) == 0 {
				return nil, errKeySetAlgorithm
			}
			return fit, nil
		}
		if _, err := keyFor(alg, nil, key); err != nil {
			return nil, errKeySetAlgorithm
		}
		return key, nil
	}
}
