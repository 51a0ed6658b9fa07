package testutil

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMintHS256ParsesBack(t *testing.T) {
	secret := []byte("s3cret")
	tok := MintHS256(secret, ValidClaims("issuer", "aud", time.Minute))
	claims := jwt.MapClaims{}
	parsed, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer("issuer"), jwt.WithAudience("aud"),
		jwt.WithIssuedAt(), jwt.WithExpirationRequired())
	if err != nil || !parsed.Valid {
		t.Fatalf("parse: %v", err)
	}
	if claims["sub"] != TestSubject {
		t.Errorf("sub = %v, want %q", claims["sub"], TestSubject)
	}

	_, err = jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte("other"), nil })
	if !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		t.Errorf("wrong secret: %v, want ErrTokenSignatureInvalid", err)
	}
}

func TestValidClaimsExpire(t *testing.T) {
	tok := MintHS256([]byte("k"), ValidClaims("i", "a", -time.Minute))
	_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte("k"), nil })
	if !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("negative ttl: %v, want ErrTokenExpired", err)
	}
}

func TestMintAsymmetricParsesBackFromPEM(t *testing.T) {
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	if keys.RSA.N.BitLen() != 2048 || keys.ECDSA.Curve.Params().Name != "P-256" || len(keys.Ed25519) != ed25519.PrivateKeySize {
		t.Fatal("unexpected key parameters")
	}
	for _, c := range []struct {
		method jwt.SigningMethod
		key    any
		parse  func([]byte) (any, error)
	}{
		{jwt.SigningMethodRS256, keys.RSA, func(b []byte) (any, error) { return jwt.ParseRSAPublicKeyFromPEM(b) }},
		{jwt.SigningMethodPS256, keys.RSA, func(b []byte) (any, error) { return jwt.ParseRSAPublicKeyFromPEM(b) }},
		{jwt.SigningMethodES256, keys.ECDSA, func(b []byte) (any, error) { return jwt.ParseECPublicKeyFromPEM(b) }},
		{jwt.SigningMethodEdDSA, keys.Ed25519, func(b []byte) (any, error) { return jwt.ParseEdPublicKeyFromPEM(b) }},
	} {
		t.Run(c.method.Alg(), func(t *testing.T) {
			tok, err := Mint(c.method, c.key, ValidClaims("iss", "aud", time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			pemBytes, err := PublicKeyPEM(c.key) // the private key is accepted
			if err != nil {
				t.Fatal(err)
			}
			pub, err := c.parse(pemBytes)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil },
				jwt.WithValidMethods([]string{c.method.Alg()}))
			if err != nil || !parsed.Valid {
				t.Fatalf("parse: %v", err)
			}
		})
	}

	for _, pub := range []any{keys.RSA.Public().(*rsa.PublicKey), keys.ECDSA.Public().(*ecdsa.PublicKey), keys.Ed25519.Public()} {
		if _, err := PublicKeyPEM(pub); err != nil {
			t.Errorf("PublicKeyPEM(%T): %v", pub, err)
		}
	}
	if _, err := PublicKeyPEM("not a key"); err == nil {
		t.Error("PublicKeyPEM(string) succeeded")
	}
	if _, err := Mint(jwt.SigningMethodRS256, []byte("secret"), jwt.MapClaims{}); err == nil {
		t.Error("Mint with a key of the wrong type succeeded")
	}
}
