package httphealth

// The keys of the JWT verifier: which algorithm a public key implies, which
// key an algorithm verifies with, and what makes an HMAC secret weak.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"

	secretrule "github.com/echofx/healthcheck/internal/secret"
)

// defaultAlgorithm is the algorithm implied by a public key.
func defaultAlgorithm(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RS256", nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
		return "", configErr("PublicKey", ErrKeyMismatch, "unsupported ECDSA curve")
	case ed25519.PublicKey:
		return "EdDSA", nil
	}
	return "", configErr("PublicKey", ErrKeyMismatch, fmt.Sprintf("unsupported key type %T", pub))
}

// keyFor returns the verification key of alg, checking its type and size.
func keyFor(alg string, secret []byte, pub crypto.PublicKey) (any, error) {
	switch alg {
	case "HS256", "HS384", "HS512":
		if len(secret) == 0 {
			return nil, configErr("Secret", ErrNoKey, alg+" needs a Secret")
		}
		minLen := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[alg]
		if len(secret) < minLen {
			return nil, configErr("Secret", errWeakKey, fmt.Sprintf("%s needs at least %d bytes, got %d", alg, minLen, len(secret)))
		}
		if weak := secretrule.Weak(secret); weak != "" {
			return nil, configErr("Secret", errWeakKey, weak)
		}
		return slices.Clone(secret), nil
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		if isNil(pub) {
			return nil, configErr("PublicKey", ErrNoKey, alg+" needs an *rsa.PublicKey")
		}
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return nil, configErr("PublicKey", ErrKeyMismatch, fmt.Sprintf("%s needs an *rsa.PublicKey, got %T", alg, pub))
		}
		if k.N == nil || k.N.BitLen() < minRSABits {
			return nil, configErr("PublicKey", errWeakKey, fmt.Sprintf("RSA key shorter than %d bits", minRSABits))
		}
		return k, nil
	case "ES256", "ES384", "ES512":
		if isNil(pub) {
			return nil, configErr("PublicKey", ErrNoKey, alg+" needs an *ecdsa.PublicKey")
		}
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, configErr("PublicKey", ErrKeyMismatch, fmt.Sprintf("%s needs an *ecdsa.PublicKey, got %T", alg, pub))
		}
		want := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}[alg]
		if k.Curve != want {
			return nil, configErr("PublicKey", ErrKeyMismatch, fmt.Sprintf("%s needs curve %s", alg, want.Params().Name))
		}
		return k, nil
	case "EdDSA":
		if isNil(pub) {
			return nil, configErr("PublicKey", ErrNoKey, alg+" needs an ed25519.PublicKey")
		}
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			return nil, configErr("PublicKey", ErrKeyMismatch, fmt.Sprintf("%s needs an ed25519.PublicKey, got %T", alg, pub))
		}
		if len(k) != ed25519.PublicKeySize {
			return nil, configErr("PublicKey", ErrKeyMismatch, "ed25519 key of wrong size")
		}
		return k, nil
	}
	return nil, configErr("Algorithms", ErrBadAlgorithm, fmt.Sprintf("%q", alg))
}

func isType[T any](v any) bool {
	_, ok := v.(T)
	return ok
}
