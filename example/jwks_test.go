package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/internal/testutil"
)

// jwksProvider is an identity provider's JWKS endpoint on a fixed
// loopback port, down until up is called. Its first answer is the
// body of first (if set), every later one the keys, or a hang with
// hangLater.
type jwksProvider struct {
	addr      string
	keys      []byte
	first     func(w http.ResponseWriter)
	hangLater bool
	requests  atomic.Int32
	srv       *httptest.Server
}

func newJWKSProvider(t *testing.T) *jwksProvider {
	t.Helper()
	port, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &jwksProvider{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	t.Cleanup(func() {
		if p.srv != nil {
			p.srv.CloseClientConnections()
			p.srv.Close()
		}
	})
	return p
}

func (p *jwksProvider) url() string { return "http://" + p.addr + "/.well-known/jwks.json" }

func (p *jwksProvider) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.requests.Add(1)
		switch {
		case n == 1 && p.first != nil:
			p.first(w)
		case n > 1 && p.hangLater:
			<-r.Context().Done()
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(p.keys)
		}
	}))
	p.srv.Listener.Close()
	p.srv.Listener = ln
	p.srv.Start()
}

// rsaJWKS is a JWKS of one RSA key named kid.
func rsaJWKS(t *testing.T, kid string, keys *testutil.Keys) []byte {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	pub := keys.RSA.PublicKey
	b, err := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The example with HEALTH_JWT_JWKS_URL as its only key source, the
// provider down at start: no token is generated, the failure is logged
// once while the retries fail, a token is refused, and once the provider
// is back the same token is accepted within the backoff (reported).
func TestJWKSProviderDownAtStart(t *testing.T) {
	keys, pg, idp := jwksCase(t)
	s := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_JWT_JWKS_URL="+idp.url())...)
	failures := regexp.MustCompile(`(?m)^messenger_health_jwks_consecutive_failures (\d+)$`)
	eventually(t, 30*time.Second, "three failed fetches", func() bool {
		_, body := s.Get(t, "/metrics")
		m := failures.FindStringSubmatch(body)
		n := 0
		if m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		return n >= 3
	})
	logged := regexp.MustCompile(`level=WARN msg="JWKS fetch failed" url=http://127\.0\.0\.1:\d+/\.well-known/jwks\.json reason=down`)
	if n := len(logged.FindAllString(s.Stderr(), -1)); n != 1 {
		t.Errorf("the provider down at start logged %d times after 3 failed fetches, want once:\n%s", n, s.Stderr())
	}
	if out := s.Stdout(); strings.Contains(out, "Bearer") || strings.Contains(out, "generated") {
		t.Errorf("a token was generated beside the JWKS:\n%s", out)
	}
	tok := withKID(t, keys, "k1")
	if code, body := s.Get(t, "/healthcheck/detailed", "Authorization", "Bearer "+tok); code != 401 {
		t.Fatalf("token while the provider is down: %d %s", code, body)
	}

	idp.up(t)
	took := eventually(t, 60*time.Second, "the token accepted", func() bool {
		code, _ := s.Get(t, "/healthcheck/detailed", "Authorization", "Bearer "+tok)
		return code == 200
	})
	t.Logf("token accepted %v after the provider came back (after 3+ failed fetches)", took.Round(time.Millisecond))
	if took > 35*time.Second {
		t.Errorf("token accepted %v after the provider came back, want within the 30 s backoff cap", took)
	}
	// The line comes through the process's stderr pipe: wait for it.
	s.WaitLog(t, `msg="JWKS fetch recovered"`, 10*time.Second)
	if n := strings.Count(s.Stderr(), `msg="JWKS fetch recovered"`); n != 1 {
		t.Errorf("recovery logged %d times:\n%s", n, s.Stderr())
	}
	s.Terminate(t)
	if code := s.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d\n%s", code, s.Stderr())
	}
}

// jwksCase is the setup of an end-to-end JWKS test: an RSA key pair, a
// PostgreSQL for the service and a provider serving the public key as kid
// "k1". It skips under -short.
func jwksCase(t *testing.T) (*testutil.Keys, *testutil.Postgres, *jwksProvider) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	keys, err := testutil.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	pg := testutil.StartPostgres(t)
	idp := newJWKSProvider(t)
	idp.keys = rsaJWKS(t, "k1", keys)
	return keys, pg, idp
}

// withKID mints a valid RS256 token naming kid.
func withKID(t *testing.T, keys *testutil.Keys, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, testutil.ValidClaims("", "", time.Hour))
	tok.Header["kid"] = kid
	s, err := tok.SignedString(keys.RSA)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A provider whose JWKS answer is 1 GiB, streamed, then hangs on every
// later fetch: the read stops at the limit (peak RSS under 150 MB),
// /ready answers at once, and SIGTERM while the retry hangs ends the
// process with exit code 0 within 3 s (drain 1 s).
func TestJWKSHugeAnswerAndHangingProvider(t *testing.T) {
	_, pg, idp := jwksCase(t)
	var written atomic.Int64
	idp.first = func(w http.ResponseWriter) {
		chunk := append([]byte(`{"keys": [`), bytes.Repeat([]byte(" "), 64<<10-10)...)
		for written.Load() < 1<<30 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
			chunk = bytes.Repeat([]byte(" "), 64<<10)
		}
	}
	idp.hangLater = true
	idp.up(t)
	s := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_JWT_JWKS_URL="+idp.url())...)
	eventually(t, 30*time.Second, "the oversize answer logged", func() bool {
		return strings.Contains(s.Stderr(), `msg="JWKS fetch failed"`)
	})
	if !strings.Contains(s.Stderr(), `reason="too big"`) {
		t.Fatalf("the 1 GiB answer was not refused as too big:\n%s", s.Stderr())
	}
	t.Logf("1 GiB answer: the provider wrote %d KiB before the service stopped reading", written.Load()>>10)
	eventually(t, 30*time.Second, "the retry (which hangs)", func() bool { return idp.requests.Load() >= 2 })

	var slowest time.Duration
	for range 10 {
		start := time.Now()
		code, _ := s.Get(t, "/healthcheck/ready")
		took := time.Since(start)
		slowest = max(slowest, took)
		if code != 200 {
			t.Errorf("/ready: %d", code)
		}
	}
	t.Logf("/ready while the JWKS fetch hangs: slowest of 10 in %v", slowest)
	// Waiting on the fetch would take seconds (its 10 s timeout); 1 s is
	// what a probe allows, with room for a loaded machine.
	if slowest > time.Second {
		t.Errorf("/ready took %v while the JWKS fetch hangs, want under 1 s", slowest)
	}
	hwm := peakRSS(t, s.cmd.Process.Pid)
	t.Logf("peak RSS (VmHWM): %d MiB", hwm>>20)
	if hwm > 150<<20 {
		t.Errorf("peak RSS %d MiB, want under 150 MiB", hwm>>20)
	}

	start := time.Now()
	s.Signal(t, syscall.SIGTERM)
	code := s.Wait(t, 30*time.Second)
	took := time.Since(start)
	t.Logf("SIGTERM while the JWKS fetch hangs: exit %d after %v (drain 1 s)", code, took.Round(time.Millisecond))
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, s.Stderr())
	}
	// The drain is 1 s; waiting for the hanging fetch would take up to
	// its 10 s timeout.
	if took > 5*time.Second {
		t.Errorf("exit %v after SIGTERM, want under 5 s (the drain, not the fetch's 10 s timeout)", took)
	}
}

// peakRSS reads the process's peak resident set size (VmHWM) in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}
