package httphealth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

// keySetFunc is a KeySet over a function of the lookup's context.
type keySetFunc func(ctx context.Context, t *jwt.Token) (any, error)

func (f keySetFunc) KeyfuncCtx(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) { return f(ctx, t) }
}

// A KeySet lookup runs under the request's context bounded by KeyWait,
// and its keys pass the PublicKey checks.
func TestJWTKeySet(t *testing.T) {
	keys, err := testutil.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	var deadline time.Duration
	set := keySetFunc(func(ctx context.Context, tok *jwt.Token) (any, error) {
		dl, ok := ctx.Deadline()
		if !ok {
			return nil, errors.New("no deadline")
		}
		deadline = time.Until(dl)
		if tok.Header["kid"] == "slow" {
			<-ctx.Done() // a refresh that waits: ends with the bound
			return nil, ctx.Err()
		}
		if tok.Header["kid"] == "ec" {
			return keys.ECDSA.Public(), nil
		}
		return keys.RSA.Public(), nil
	})
	j, err := httphealth.NewJWT(httphealth.JWTConfig{KeySet: set, Algorithms: []string{"RS256"}, KeyWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	mint := func(kid string, m jwt.SigningMethod, key any) string {
		tok := jwt.NewWithClaims(m, testutil.ValidClaims("", "", time.Minute))
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	auth := func(tok string) error {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return j.Authenticate(r)
	}
	if err := auth(mint("rsa", jwt.SigningMethodRS256, keys.RSA)); err != nil {
		t.Fatalf("valid token: %v", err)
	}
	if deadline <= 0 || deadline > 200*time.Millisecond {
		t.Errorf("lookup deadline %v away, want within KeyWait (200ms)", deadline)
	}
	if err := auth(mint("slow", jwt.SigningMethodRS256, keys.RSA)); !errors.Is(err, httphealth.ErrUnauthorized) {
		t.Errorf("slow lookup: %v, want unauthorized", err)
	}
	if err := auth(mint("ec", jwt.SigningMethodRS256, keys.RSA)); !errors.Is(err, httphealth.ErrUnauthorized) {
		t.Errorf("RS256 token on an EC key of the set: %v, want unauthorized", err)
	}
	if err := auth(mint("ec", jwt.SigningMethodES256, keys.ECDSA)); !errors.Is(err, httphealth.ErrUnauthorized) {
		t.Errorf("ES256 not configured: %v, want unauthorized", err)
	}

	for name, cfg := range map[string]httphealth.JWTConfig{
		"with a secret": {KeySet: set, Secret: []byte("0123456789abcdef0123456789abcdef")},
		"with a key":    {KeySet: set, PublicKey: keys.RSA.Public()},
		"HS256":         {KeySet: set, Algorithms: []string{"HS256"}},
		"negative wait": {KeySet: set, KeyWait: -1},
		"bad algorithm": {KeySet: set, Algorithms: []string{"none"}},
	} {
		if _, err := httphealth.NewJWT(cfg); err == nil {
			t.Errorf("%s: NewJWT accepted it", name)
		}
	}
}
