package adaptertest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// badTokens are the classes of Authorization values every adapter must
// refuse with the same 401, whatever the reason.
func badTokens(t *testing.T) map[string]string {
	claims := func(kv ...any) jwt.MapClaims {
		c := testutil.ValidClaims(testIssuer, testAudience, time.Hour)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(c, kv[i].(string))
			} else {
				c[kv[i].(string)] = kv[i+1]
			}
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims, header ...any) string {
		tok := jwt.NewWithClaims(m, c)
		for i := 0; i+1 < len(header); i += 2 {
			tok.Header[header[i].(string)] = header[i+1]
		}
		s, err := tok.SignedString(key)
		must(t, err)
		return "Bearer " + s
	}
	valid := validToken()
	return map[string]string{
		"1 no header":        "",
		"2 basic scheme":     "Basic dXNlcjpwYXNz",
		"3 no scheme":        valid,
		"4 malformed":        "Bearer abc.def",
		"5 wrong key":        sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-0123456789"), claims()),
		"6 expired":          sign(jwt.SigningMethodHS256, testSecret, claims("exp", time.Now().Add(-time.Hour).Unix())),
		"7 no exp":           sign(jwt.SigningMethodHS256, testSecret, claims("exp", nil)),
		"8 not yet valid":    sign(jwt.SigningMethodHS256, testSecret, claims("nbf", time.Now().Add(time.Hour).Unix())),
		"9 alg none":         sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims()),
		"10 other HMAC alg":  sign(jwt.SigningMethodHS384, append(testSecret, testSecret...), claims()),
		"11 wrong issuer":    sign(jwt.SigningMethodHS256, testSecret, claims("iss", "https://evil.example")),
		"12 wrong audience":  sign(jwt.SigningMethodHS256, testSecret, claims("aud", "other")),
		"13 too long header": "Bearer " + strings.Repeat("a", 9<<10),
		"14 unknown crit":    sign(jwt.SigningMethodHS256, testSecret, claims(), "crit", []string{"exp-ext"}, "exp-ext", true),
		"15 typ not JWT":     sign(jwt.SigningMethodHS256, testSecret, claims(), "typ", "at+jwt"),
	}
}

// TestBadTokens checks that every class of bad token gets the same 401,
// byte for byte, on every adapter and both detailed routes, and that a
// valid token passes.
func TestBadTokens(t *testing.T) {
	tokens := badTokens(t)
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
		jc := jwtConfig()
		m := a.mount(t, runner, &jc)
		for _, path := range []string{"/healthcheck/detailed", "/healthcheck/detailed/db"} {
			if rec := do(m.handler, http.MethodGet, a.base+path, "Authorization", "Bearer "+validToken()); rec.Code != 200 {
				t.Fatalf("valid token on %s: %d %s", path, rec.Code, rec.Body)
			}
			var first http.Header
			for name, value := range tokens {
				var hdr []string
				if value != "" {
					hdr = []string{"Authorization", value}
				}
				rec := do(m.handler, http.MethodGet, a.base+path, hdr...)
				if rec.Code != http.StatusUnauthorized || rec.Body.String() != unauthorizedJSON {
					t.Errorf("%s on %s: %d %s", name, path, rec.Code, rec.Body)
					continue
				}
				if first == nil {
					first = rec.Header()
				}
				for _, k := range []string{"Content-Type", "Cache-Control", "X-Content-Type-Options", "Www-Authenticate", "Content-Length"} {
					if rec.Header().Get(k) != first.Get(k) {
						t.Errorf("%s: header %s = %q, another bad token got %q", name, k, rec.Header().Get(k), first.Get(k))
					}
				}
				if len(rec.Header()) != len(first) {
					t.Errorf("%s: headers %v differ from %v", name, rec.Header(), first)
				}
			}
		}
	})
}
