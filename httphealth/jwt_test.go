package httphealth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes
	testKeys   = sync.OnceValue(func() *testutil.Keys {
		k, err := testutil.GenerateKeys()
		if err != nil {
			panic(err)
		}
		return k
	})
	testP384 = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

const (
	testIssuer   = "https://issuer.example"
	testAudience = "healthcheck"
	testScope    = "health:read"
)

// jwtMux serves the detailed routes behind NewJWT(cfg).
func jwtMux(t testing.TB, cfg httphealth.JWTConfig) http.Handler {
	t.Helper()
	auth, err := httphealth.NewJWT(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newMux(t, newRunner(t), httphealth.WithDetailed(auth))
}

func mint(t testing.TB, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := testutil.Mint(m, key, claims)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validClaims() jwt.MapClaims {
	c := testutil.ValidClaims(testIssuer, testAudience, time.Hour)
	c["scope"] = "openid " + testScope
	return c
}

func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

func assertUnauthorized(t *testing.T, rec interface {
	Result() *http.Response
}, body string) {
	t.Helper()
	res := rec.Result()
	if res.StatusCode != http.StatusUnauthorized || body != unauthorizedJSON {
		t.Fatalf("got %d %s, want 401 %s", res.StatusCode, body, unauthorizedJSON)
	}
	if got := res.Header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	assertHealthHeaders(t, res.Header, "application/json")
}

func TestJWTRejects(t *testing.T) {
	keys := testKeys()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	hs := jwtMux(t, httphealth.JWTConfig{Secret: testSecret, Issuer: testIssuer, Audience: testAudience,
		RequiredScope: testScope, Logger: logger})
	pubPEM, err := testutil.PublicKeyPEM(keys.RSA.Public())
	if err != nil {
		t.Fatal(err)
	}
	rs := jwtMux(t, httphealth.JWTConfig{PublicKey: keys.RSA.Public(), Algorithms: []string{"RS256"}, Logger: logger})
	noneToken := mint(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims())
	valid := mint(t, jwt.SigningMethodHS256, testSecret, validClaims())

	cases := []struct {
		name   string
		e      http.Handler
		header []string // Authorization values
	}{
		{"no header", hs, nil},
		{"empty", hs, []string{""}},
		{"bearer without token", hs, []string{"Bearer "}},
		{"basic scheme", hs, []string{"Basic dXNlcjpwYXNz"}},
		{"token without scheme", hs, []string{valid}},
		{"malformed", hs, []string{"Bearer abc.def"}},
		{"garbage", hs, []string{"Bearer not-a-jwt"}},
		{"bad base64", hs, []string{"Bearer " + valid[:len(valid)-3] + "!!!"}},
		{"wrong key", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-32"), validClaims())}},
		{"expired", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "exp", time.Now().Add(-time.Hour).Unix()))}},
		{"expired past leeway", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "exp", time.Now().Add(-10*time.Second).Unix()))}},
		{"no exp", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "exp", nil))}},
		{"not yet valid", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "nbf", time.Now().Add(time.Hour).Unix()))}},
		{"issued in the future", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "iat", time.Now().Add(time.Hour).Unix()))}},
		{"alg none", hs, []string{"Bearer " + noneToken}},
		{"alg none, no signature", hs, []string{"Bearer " + strings.TrimSuffix(noneToken, ".") + "."}},
		{"HS384 not allowed", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS384, testSecret, validClaims())}},
		{"HS512 not allowed", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS512, append(testSecret, testSecret...), validClaims())}},
		{"wrong issuer", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "iss", "https://evil.example"))}},
		{"no issuer", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "iss", nil))}},
		{"wrong audience", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "aud", "other"))}},
		{"no audience", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "aud", nil))}},
		{"missing scope", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "scope", "openid"))}},
		{"scope prefix only", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "scope", "health:read:all"))}},
		{"scope of wrong type", hs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, testSecret, with(validClaims(), "scope", 42))}},
		{"oversized header", hs, []string{"Bearer " + valid + strings.Repeat("A", maxAuthorizationBytes)}},
		{"two headers", hs, []string{"Bearer " + valid, "Bearer " + valid}},
		{"key confusion: HS256 with the RSA public key PEM", rs, []string{"Bearer " + mint(t, jwt.SigningMethodHS256, pubPEM, validClaims())}},
		{"RS384 not allowed", rs, []string{"Bearer " + mint(t, jwt.SigningMethodRS384, keys.RSA, validClaims())}},
		{"PS256 not allowed", rs, []string{"Bearer " + mint(t, jwt.SigningMethodPS256, keys.RSA, validClaims())}},
		{"ES256 against RS256", rs, []string{"Bearer " + mint(t, jwt.SigningMethodES256, keys.ECDSA, validClaims())}},
		{"RS256 signed by another key", rs, []string{"Bearer " + mint(t, jwt.SigningMethodRS256, otherRSA(t), validClaims())}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			var hdr []string
			for _, v := range tc.header {
				hdr = append(hdr, "Authorization", v)
			}
			for _, target := range []string{"/healthcheck/detailed", "/healthcheck/detailed/nope"} {
				rec := do(tc.e, http.MethodGet, target, hdr...)
				assertUnauthorized(t, rec, rec.Body.String())
			}
			out := logs.String()
			if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "reason=") {
				t.Errorf("reason not logged at debug: %q", out)
			}
			for _, v := range tc.header {
				if tok := strings.TrimPrefix(v, "Bearer "); len(tok) > 8 && strings.Contains(out, tok) {
					t.Errorf("token logged: %q", out)
				}
			}
		})
	}

	// The same token the cases mangle is valid, so each case fails for its
	// own reason.
	if rec := do(hs, http.MethodGet, "/healthcheck/detailed", "Authorization", "Bearer "+valid); rec.Code != 200 {
		t.Fatalf("valid HS256 token: %d %s", rec.Code, rec.Body)
	}
	// Tokens are never read from the query.
	rec := do(hs, http.MethodGet, "/healthcheck/detailed?access_token="+valid)
	assertUnauthorized(t, rec, rec.Body.String())
}

var otherRSA = func() func(testing.TB) *rsa.PrivateKey {
	once := sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })
	return func(t testing.TB) *rsa.PrivateKey {
		k, err := once()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
}()

func TestJWTAccepts(t *testing.T) {
	keys := testKeys()
	p384 := testP384()
	cases := []struct {
		name   string
		cfg    httphealth.JWTConfig
		method jwt.SigningMethod
		key    any
		claims jwt.MapClaims
	}{
		{"HS256", httphealth.JWTConfig{Secret: testSecret}, jwt.SigningMethodHS256, testSecret, validClaims()},
		{"HS256 all claims", httphealth.JWTConfig{Secret: testSecret, Issuer: testIssuer, Audience: testAudience, RequiredScope: testScope},
			jwt.SigningMethodHS256, testSecret, validClaims()},
		{"HS256 aud array", httphealth.JWTConfig{Secret: testSecret, Audience: testAudience},
			jwt.SigningMethodHS256, testSecret, with(validClaims(), "aud", []string{"other", testAudience})},
		{"HS256 scp array", httphealth.JWTConfig{Secret: testSecret, RequiredScope: testScope},
			jwt.SigningMethodHS256, testSecret, with(validClaims(), "scope", nil, "scp", []string{"a", testScope})},
		{"HS256 scp string", httphealth.JWTConfig{Secret: testSecret, RequiredScope: testScope},
			jwt.SigningMethodHS256, testSecret, with(validClaims(), "scope", nil, "scp", testScope+" b")},
		{"HS256 expired within leeway", httphealth.JWTConfig{Secret: testSecret, Leeway: time.Minute},
			jwt.SigningMethodHS256, testSecret, with(validClaims(), "exp", time.Now().Add(-10*time.Second).Unix())},
		{"HS512", httphealth.JWTConfig{Secret: append(testSecret, testSecret...), Algorithms: []string{"HS512"}},
			jwt.SigningMethodHS512, append(testSecret, testSecret...), validClaims()},
		{"RS256", httphealth.JWTConfig{PublicKey: keys.RSA.Public()}, jwt.SigningMethodRS256, keys.RSA, validClaims()},
		{"PS256", httphealth.JWTConfig{PublicKey: keys.RSA.Public(), Algorithms: []string{"PS256"}}, jwt.SigningMethodPS256, keys.RSA, validClaims()},
		{"ES256", httphealth.JWTConfig{PublicKey: keys.ECDSA.Public()}, jwt.SigningMethodES256, keys.ECDSA, validClaims()},
		{"ES384", httphealth.JWTConfig{PublicKey: p384.Public()}, jwt.SigningMethodES384, p384, validClaims()},
		{"EdDSA", httphealth.JWTConfig{PublicKey: keys.Ed25519.Public()}, jwt.SigningMethodEdDSA, keys.Ed25519, validClaims()},
		{"HS256 and RS256: HS token", httphealth.JWTConfig{Secret: testSecret, PublicKey: keys.RSA.Public()},
			jwt.SigningMethodHS256, testSecret, validClaims()},
		{"HS256 and RS256: RS token", httphealth.JWTConfig{Secret: testSecret, PublicKey: keys.RSA.Public()},
			jwt.SigningMethodRS256, keys.RSA, validClaims()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := jwtMux(t, tc.cfg)
			tok := mint(t, tc.method, tc.key, tc.claims)
			for _, scheme := range []string{"Bearer ", "bearer ", "BEARER  "} {
				rec := do(e, http.MethodGet, "/healthcheck/detailed", "Authorization", scheme+tok)
				if rec.Code != http.StatusOK {
					t.Fatalf("%q: %d %s", scheme, rec.Code, rec.Body)
				}
			}
		})
	}
}

// The key-confusion token is rejected even when both HS256 and RS256 are
// configured: HS256 verifies with the Secret only.
func TestJWTKeyConfusionWithBothFamilies(t *testing.T) {
	keys := testKeys()
	pubPEM, _ := testutil.PublicKeyPEM(keys.RSA.Public())
	e := jwtMux(t, httphealth.JWTConfig{Secret: testSecret, PublicKey: keys.RSA.Public(), Algorithms: []string{"HS256", "RS256"}})
	rec := do(e, http.MethodGet, "/healthcheck/detailed", "Authorization", "Bearer "+mint(t, jwt.SigningMethodHS256, pubPEM, validClaims()))
	assertUnauthorized(t, rec, rec.Body.String())
}

func TestNewJWTErrors(t *testing.T) {
	keys := testKeys()
	weakRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	// A weak key is a plain *checks.ConfigError (no caller branches on
	// it) whose Err reads "key too weak".
	errWeakKey := errors.New("key too weak")
	cases := []struct {
		name string
		cfg  httphealth.JWTConfig
		want error
	}{
		{"no key", httphealth.JWTConfig{}, httphealth.ErrNoKey},
		{"empty secret", httphealth.JWTConfig{Secret: []byte{}}, httphealth.ErrNoKey},
		{"short secret", httphealth.JWTConfig{Secret: []byte("short")}, errWeakKey},
		{"31-byte secret", httphealth.JWTConfig{Secret: testSecret[:31]}, errWeakKey},
		{"HS384 with 32 bytes", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"HS384"}}, errWeakKey},
		{"HS512 with 32 bytes", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"HS512"}}, errWeakKey},
		{"alg none", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"none"}}, httphealth.ErrBadAlgorithm},
		{"alg None", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"HS256", "None"}}, httphealth.ErrBadAlgorithm},
		{"unknown alg", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"HS257"}}, httphealth.ErrBadAlgorithm},
		{"lower-case alg", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"hs256"}}, httphealth.ErrBadAlgorithm},
		{"RS256 without public key", httphealth.JWTConfig{Secret: testSecret, Algorithms: []string{"HS256", "RS256"}}, httphealth.ErrNoKey},
		{"HS256 without secret", httphealth.JWTConfig{PublicKey: keys.RSA.Public(), Algorithms: []string{"HS256"}}, httphealth.ErrNoKey},
		{"RS256 with ECDSA key", httphealth.JWTConfig{PublicKey: keys.ECDSA.Public(), Algorithms: []string{"RS256"}}, httphealth.ErrKeyMismatch},
		{"PS256 with Ed25519 key", httphealth.JWTConfig{PublicKey: keys.Ed25519.Public(), Algorithms: []string{"PS256"}}, httphealth.ErrKeyMismatch},
		{"ES256 with RSA key", httphealth.JWTConfig{PublicKey: keys.RSA.Public(), Algorithms: []string{"ES256"}}, httphealth.ErrKeyMismatch},
		{"ES256 with P-384 key", httphealth.JWTConfig{PublicKey: testP384().Public(), Algorithms: []string{"ES256"}}, httphealth.ErrKeyMismatch},
		{"ES384 with P-256 key", httphealth.JWTConfig{PublicKey: keys.ECDSA.Public(), Algorithms: []string{"ES384"}}, httphealth.ErrKeyMismatch},
		{"EdDSA with RSA key", httphealth.JWTConfig{PublicKey: keys.RSA.Public(), Algorithms: []string{"EdDSA"}}, httphealth.ErrKeyMismatch},
		{"EdDSA with short key", httphealth.JWTConfig{PublicKey: ed25519.PublicKey{1, 2, 3}}, httphealth.ErrKeyMismatch},
		{"RSA private key", httphealth.JWTConfig{PublicKey: keys.RSA}, httphealth.ErrKeyMismatch},
		{"Ed25519 private key", httphealth.JWTConfig{PublicKey: keys.Ed25519}, httphealth.ErrKeyMismatch},
		{"PEM bytes as public key", httphealth.JWTConfig{PublicKey: []byte("-----BEGIN PUBLIC KEY-----")}, httphealth.ErrKeyMismatch},
		{"RSA key as HMAC secret alg", httphealth.JWTConfig{Secret: testSecret, PublicKey: keys.RSA.Public(), Algorithms: []string{"HS256"}}, httphealth.ErrKeyMismatch},
		{"secret unused", httphealth.JWTConfig{Secret: testSecret, PublicKey: keys.RSA.Public(), Algorithms: []string{"RS256"}}, httphealth.ErrKeyMismatch},
		{"weak RSA key", httphealth.JWTConfig{PublicKey: weakRSA.Public()}, errWeakKey},
		{"negative leeway", httphealth.JWTConfig{Secret: testSecret, Leeway: -time.Second}, checks.ErrInvalidConfig},
		{"scope with space", httphealth.JWTConfig{Secret: testSecret, RequiredScope: "a b"}, checks.ErrInvalidConfig},
		{"nil *rsa.PublicKey", httphealth.JWTConfig{PublicKey: (*rsa.PublicKey)(nil)}, httphealth.ErrNoKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			auth, err := httphealth.NewJWT(tc.cfg)
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || ce.Setting == "" {
				t.Fatalf("err %#v is not a *ConfigError with a field", err)
			}
			if tc.want == errWeakKey {
				if !errors.Is(err, checks.ErrInvalidConfig) || ce.Err == nil || ce.Err.Error() != errWeakKey.Error() {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if auth != nil {
				t.Fatal("NewJWT returned a verifier with its error")
			}
			// No unprotected route results from ignoring the error.
			if _, err := httphealth.New(newRunner(t), httphealth.WithDetailed(auth)); err == nil {
				t.Fatal("New accepted the failed verifier")
			}
		})
	}
}

// The middleware protects any route with the same 401.
func TestJWTMiddleware(t *testing.T) {
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	e := protected(auth.Middleware)
	rec := do(e, http.MethodGet, "/")
	assertUnauthorized(t, rec, rec.Body.String())
	rec = do(e, http.MethodGet, "/", "Authorization", "Bearer "+testutil.MintHS256(testSecret, validClaims()))
	if rec.Code != 200 || rec.Body.String() != "secret" {
		t.Fatalf("valid token: %d %s", rec.Code, rec.Body)
	}
	err = auth.Authenticate(httptestRequest())
	if !errors.Is(err, httphealth.ErrUnauthorized) {
		t.Fatalf("Authenticate error = %v", err)
	}
}

func httptestRequest() *http.Request {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	return r
}

func FuzzAuthorizationHeader(f *testing.F) {
	valid := testutil.MintHS256(testSecret, validClaims())
	for _, s := range []string{
		"", "Bearer", "Bearer ", "Bearer " + valid, "bearer " + valid, "Basic abc", "Bearer a.b.c",
		"Bearer " + valid + "x", "Bearer ..", "Bearer e30.e30.", "Bearer eyJhbGciOiJub25lIn0.e30.",
		"Bearer " + strings.Repeat("a", 9000), "Bearer \x00\xff", "Bearer " + strings.Replace(valid, ".", "..", 1),
	} {
		f.Add(s)
	}
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: testSecret})
	if err != nil {
		f.Fatal(err)
	}
	e := newMux(f, newRunner(f), httphealth.WithDetailed(auth))
	f.Fuzz(func(t *testing.T, header string) {
		rec := do(e, http.MethodGet, "/healthcheck/detailed", "Authorization", header)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusUnauthorized:
			if rec.Body.String() != unauthorizedJSON {
				t.Fatalf("401 body %s", rec.Body)
			}
		default:
			t.Fatalf("Authorization %q: %d %s", header, rec.Code, rec.Body)
		}
	})
}

// NewJWT's error is a *checks.ConfigError naming the field, wrapping the
// sentinel a caller branches on, and never echoing key material.
func TestNewJWTErrorText(t *testing.T) {
	_, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: []byte("tiny-")})
	if got, want := err.Error(), "httphealth: key too weak: Secret: HS256 needs at least 32 bytes, got 5"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if errors.Is(err, httphealth.ErrNoKey) || !errors.Is(err, checks.ErrInvalidConfig) {
		t.Error("errors.Is does not follow Unwrap")
	}
	_, err = httphealth.NewJWT(httphealth.JWTConfig{Secret: []byte("tiny-secret-value")})
	if err == nil || strings.Contains(err.Error(), "tiny-secret-value") {
		t.Errorf("NewJWT error %v", err)
	}
}
