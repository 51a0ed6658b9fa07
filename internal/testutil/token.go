package testutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestSubject is the "sub" claim set by ValidClaims.
const TestSubject = "test-subject"

// Keys holds one freshly generated private key per asymmetric JWT family.
// The public halves are RSA.Public(), ECDSA.Public() and Ed25519.Public().
type Keys struct {
	RSA     *rsa.PrivateKey    // 2048-bit, for RS256/384/512 and PS256/384/512
	ECDSA   *ecdsa.PrivateKey  // P-256, for ES256
	Ed25519 ed25519.PrivateKey // for EdDSA
}

// GenerateKeys returns new RSA-2048, ECDSA P-256 and Ed25519 key pairs.
func GenerateKeys() (*Keys, error) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("testutil: rsa key: %w", err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("testutil: ecdsa key: %w", err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("testutil: ed25519 key: %w", err)
	}
	return &Keys{RSA: rsaKey, ECDSA: ecKey, Ed25519: edKey}, nil
}

// PublicKeyPEM encodes a public key (*rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey) as a PKIX "PUBLIC KEY" PEM block. A private key of those
// kinds is accepted too, and its public half encoded.
func PublicKeyPEM(pub any) ([]byte, error) {
	if signer, ok := pub.(crypto.Signer); ok {
		pub = signer.Public()
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("testutil: public key PEM: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Mint signs claims with method and key (the private key for asymmetric
// methods, a []byte secret for HMAC) and returns the compact JWT.
func Mint(method jwt.SigningMethod, key any, claims jwt.MapClaims) (string, error) {
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("testutil: mint %s token: %w", method.Alg(), err)
	}
	return s, nil
}

// MintHS256 signs claims with HMAC-SHA256 under secret. It panics if signing
// fails, which for a []byte secret only happens if claims cannot be
// marshalled to JSON.
func MintHS256(secret []byte, claims jwt.MapClaims) string {
	s, err := Mint(jwt.SigningMethodHS256, secret, claims)
	if err != nil {
		panic(err)
	}
	return s
}

// ValidClaims returns claims that pass standard validation now: iss and aud
// as given, sub TestSubject, iat and nbf the current second and exp ttl
// later (all NumericDate seconds).
func ValidClaims(issuer, audience string, ttl time.Duration) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": issuer,
		"aud": audience,
		"sub": TestSubject,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(ttl).Unix(),
	}
}
