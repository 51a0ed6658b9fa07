package healthfx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

// jwksServer is an identity provider's JWKS endpoint on loopback whose
// keys the test rotates; after hangAfter fetches (if > 0) it hangs.
type jwksServer struct {
	*httptest.Server
	mu        sync.Mutex
	keys      []map[string]string
	fetches   atomic.Int32
	hangAfter int32
	release   chan struct{}
}

func newJWKSServer(t *testing.T, hangAfter int32) *jwksServer {
	s := &jwksServer{hangAfter: hangAfter, release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.fetches.Add(1)
		if s.hangAfter > 0 && n > s.hangAfter {
			select {
			case <-s.release:
			case <-r.Context().Done():
			}
			return
		}
		s.mu.Lock()
		body, _ := json.Marshal(map[string]any{"keys": s.keys})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(func() { close(s.release); s.Close() })
	return s
}

// publish replaces the served keys (a rotation).
func (s *jwksServer) publish(keys ...map[string]string) {
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func rsaJWK(kid string, k *rsa.PublicKey) map[string]string {
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func ecJWK(kid string, k *ecdsa.PublicKey) map[string]string {
	pad := func(b []byte) []byte { return append(make([]byte, 32-len(b)), b...) }
	return map[string]string{"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
		"x": b64(pad(k.X.Bytes())), "y": b64(pad(k.Y.Bytes()))} //nolint:staticcheck // the JWK needs the coordinates
}

// mintKID signs claims with a "kid" header.
func mintKID(t *testing.T, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startJWKSApp(t *testing.T, url string) *echo.Echo {
	t.Helper()
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	t.Setenv("HEALTH_JWT_JWKS_URL", url)
	t.Setenv("HEALTH_JWT_ALGORITHMS", "RS256,ES256")
	t.Setenv("HEALTH_JWT_ISSUER", "https://idp.test")
	t.Setenv("HEALTH_JWT_AUDIENCE", "health")
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New),
		healthfx.SupplyCheck(checks.Check{Name: "db", Func: checks.FromFunc(func(context.Context) error { return nil })}),
		healthfx.Module, fx.Populate(&e))
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return e
}

// Tokens of an identity provider's JWKS: the key of the token's kid
// verifies it; after the provider rotates, the new kid is accepted (one
// fetch) and the dropped one refused (no fetch: rate-limited, no wait);
// the JWT rules still hold; 401 carries no hint.
func TestJWKSRotation(t *testing.T) {
	keys, err := testutil.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	idp := newJWKSServer(t, 0)
	idp.publish(rsaJWK("rsa-1", &keys.RSA.PublicKey))
	e := startJWKSApp(t, idp.URL)
	claims := testutil.ValidClaims("https://idp.test", "health", time.Minute)
	oldTok := mintKID(t, jwt.SigningMethodRS256, keys.RSA, "rsa-1", claims)

	// The first fetch runs in the background after start.
	eventually(t, 10*time.Second, "a token of the published key accepted", func() bool {
		code, _ := get(t, e, "/healthcheck/detailed", oldTok)
		return code == 200
	})
	before := idp.fetches.Load()

	idp.publish(ecJWK("ec-2", &keys.ECDSA.PublicKey)) // rotation: rsa-1 dropped
	newTok := mintKID(t, jwt.SigningMethodES256, keys.ECDSA, "ec-2", claims)
	if code, body := get(t, e, "/healthcheck/detailed", newTok); code != 200 {
		t.Fatalf("token of the rotated-in key: %d %s", code, body)
	}
	if got := idp.fetches.Load(); got != before+1 {
		t.Fatalf("fetches after the new kid = %d, want %d", got, before+1)
	}
	const unauthorized = `{"status":"error","error":"unauthorized"}`
	for name, tok := range map[string]string{
		"dropped key":     oldTok,
		"unknown kid":     mintKID(t, jwt.SigningMethodES256, keys.ECDSA, "nope", claims),
		"no exp":          mintKID(t, jwt.SigningMethodES256, keys.ECDSA, "ec-2", jwt.MapClaims{"iss": "https://idp.test", "aud": "health"}),
		"wrong issuer":    mintKID(t, jwt.SigningMethodES256, keys.ECDSA, "ec-2", testutil.ValidClaims("https://evil.test", "health", time.Minute)),
		"wrong audience":  mintKID(t, jwt.SigningMethodES256, keys.ECDSA, "ec-2", testutil.ValidClaims("https://idp.test", "other", time.Minute)),
		"HS256 with kid":  mintKID(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 16)+strings.Repeat("x", 16)), "ec-2", claims),
		"RS256 on EC key": mintKID(t, jwt.SigningMethodRS256, keys.RSA, "ec-2", claims),
	} {
		if code, body := get(t, e, "/healthcheck/detailed", tok); code != 401 || body != unauthorized {
			t.Errorf("%s: %d %s, want 401 %s", name, code, body, unauthorized)
		}
	}
	// The unknown kids asked for no fetch: the one per 5 min was spent.
	if got := idp.fetches.Load(); got != before+1 {
		t.Errorf("fetches after unknown kids = %d, want still %d", got, before+1)
	}
}

// A provider that hangs when asked for an unknown kid costs a request at
// most the key wait (1 s, within the request's context): the request is
// answered 401 while the provider still hangs.
func TestJWKSHangingProviderBoundsTheRequest(t *testing.T) {
	keys, err := testutil.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	idp := newJWKSServer(t, 1) // the first fetch answers, every later one hangs
	idp.publish(rsaJWK("rsa-1", &keys.RSA.PublicKey))
	e := startJWKSApp(t, idp.URL)
	claims := testutil.ValidClaims("https://idp.test", "health", time.Minute)
	eventually(t, 10*time.Second, "the first fetch", func() bool {
		code, _ := get(t, e, "/healthcheck/detailed", mintKID(t, jwt.SigningMethodRS256, keys.RSA, "rsa-1", claims))
		return code == 200
	})
	done := make(chan int, 1)
	go func() {
		code, _ := get(t, e, "/healthcheck/detailed", mintKID(t, jwt.SigningMethodES256, keys.ECDSA, "new", claims))
		done <- code
	}()
	select {
	case code := <-done: // the provider still hangs: idp.release is closed only at cleanup
		if code != 401 {
			t.Fatalf("unknown kid with a hanging provider: %d, want 401", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the request waited on the hanging provider")
	}
	// The 401 came at the key wait; the fetch it asked for may reach the
	// provider just after.
	eventually(t, 10*time.Second, "the refresh for the unknown kid", func() bool { return idp.fetches.Load() >= 2 })
	if n := idp.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (one refresh for the unknown kid)", n)
	}
}

// The app's own authorization (here an IP allow-list and a header) guards
// the detailed route instead of the JWT; a JWT key set beside it is refused.
func TestAppAuthenticator(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	auth := httphealth.AuthenticatorFunc(func(r *http.Request) error {
		if !strings.HasPrefix(r.RemoteAddr, "192.0.2.") || r.Header.Get("X-Session") != "ops" {
			return httphealth.ErrUnauthorized
		}
		return nil
	})
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New),
		fx.Supply(fx.Annotate(auth, fx.As(new(httphealth.Authenticator)))),
		healthfx.Module, fx.Populate(&e))
	app.RequireStart()
	defer app.RequireStop()
	for _, tc := range []struct {
		session string
		want    int
	}{{"ops", 200}, {"", 401}, {"guest", 401}} {
		req := httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil) // RemoteAddr 192.0.2.1
		if tc.session != "" {
			req.Header.Set("X-Session", tc.session)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("session %q: %d, want %d", tc.session, rec.Code, tc.want)
		}
	}

	t.Setenv("HEALTH_JWT_SECRET", strings.Repeat("s3cr3t-", 6))
	err := fx.New(fx.NopLogger, fx.Provide(echo.New),
		fx.Supply(fx.Annotate(auth, fx.As(new(httphealth.Authenticator)))), healthfx.Module).Err()
	if !strings.Contains(fmtErr(err), "HEALTH_JWT_SECRET") || !strings.Contains(fmtErr(err), "Authenticator") {
		t.Fatalf("JWT secret beside the app's Authenticator: %v", err)
	}
}

// A JWKS URL over plain http to another host is refused, naming the
// variable.
func TestJWKSURLRules(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://idp.example/.well-known/jwks.json": true,
		"http://127.0.0.1:8080/jwks":                true,
		"http://idp.example/jwks":                   false,
		"idp.example/jwks":                          false,
	} {
		_, err := healthfx.LoadConfig(func(k string) (string, bool) {
			v, found := map[string]string{"HEALTH_CHECK_DETAILED": "true", "HEALTH_JWT_JWKS_URL": url}[k]
			return v, found
		})
		if (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "HEALTH_JWT_JWKS_URL")) {
			t.Errorf("%s: %v", url, err)
		}
	}
}

// roundTripper is a stand-in for the instrumented transports (otelhttp and
// the like) that apps put in http.DefaultTransport.
type roundTripper struct{ next http.RoundTripper }

func (r roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return r.next.RoundTrip(req)
}

// An app that replaced http.DefaultTransport with a transport of another
// type still gets its JWKS fetched (the fetcher used to assert
// *http.Transport and panic inside fx's start).
func TestJWKSWithReplacedDefaultTransport(t *testing.T) {
	orig := http.DefaultTransport
	http.DefaultTransport = roundTripper{next: orig}
	t.Cleanup(func() { http.DefaultTransport = orig })
	keys, err := testutil.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	idp := newJWKSServer(t, 0)
	idp.publish(rsaJWK("rsa-1", &keys.RSA.PublicKey))
	e := startJWKSApp(t, idp.URL)
	tok := mintKID(t, jwt.SigningMethodRS256, keys.RSA, "rsa-1", testutil.ValidClaims("https://idp.test", "health", time.Minute))
	eventually(t, 10*time.Second, "a token of the published key accepted", func() bool {
		code, _ := get(t, e, "/healthcheck/detailed", tok)
		return code == 200
	})
}
