package healthfx

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

// idp is an identity provider's JWKS endpoint on a fixed loopback port,
// which the test takes down and brings back, and makes answer in the
// ways providers fail.
type idp struct {
	t       *testing.T
	addr    string
	mode    atomic.Value // string: "ok", "500", "hang", "invalid", "unsupported", "redirect-off", "huge", "huge-length"
	mu      sync.Mutex
	keys    []map[string]string
	srv     *httptest.Server
	fetches atomic.Int32
	written atomic.Int64  // body bytes written by the last "huge" answer
	arrived chan struct{} // a request arrived (capacity 1, latest only)
}

func newIdP(t *testing.T) *idp {
	port, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{t: t, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), arrived: make(chan struct{}, 1)}
	p.mode.Store("ok")
	t.Cleanup(p.down)
	return p
}

func (p *idp) url() string { return "http://" + p.addr + "/jwks?secret=hunter2" }

// up starts answering on the provider's port.
func (p *idp) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	p.mu.Lock()
	p.srv = srv
	p.mu.Unlock()
}

// down closes the port: connections are refused.
func (p *idp) down() {
	p.mu.Lock()
	srv := p.srv
	p.srv = nil
	p.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

func (p *idp) publish(keys ...map[string]string) {
	p.mu.Lock()
	p.keys = keys
	p.mu.Unlock()
}

func (p *idp) serve(w http.ResponseWriter, r *http.Request) {
	p.fetches.Add(1)
	select {
	case p.arrived <- struct{}{}:
	default:
	}
	switch p.mode.Load().(string) {
	case "500":
		http.Error(w, "oops", http.StatusInternalServerError)
	case "hang":
		<-r.Context().Done()
	case "invalid":
		_, _ = w.Write([]byte(`{"keys": [ {"kty": "RSA", "n": `))
	case "unsupported": // valid JSON, but no key of a type jwkset knows
		_, _ = w.Write([]byte(`{"keys": [ {"kty": "XYZ", "kid": "k9"} ]}`))
	case "redirect-off": // to plain http off loopback, which the fetcher refuses
		http.Redirect(w, r, "http://idp.example/jwks.json", http.StatusFound)
	case "huge-length":
		w.Header().Set("Content-Length", strconv.Itoa(1<<30))
		_, _ = w.Write([]byte(`{"keys": [`))
	case "huge": // 1 GiB, streamed: a JSON value that never ends
		p.written.Store(0)
		chunk := append([]byte(`{"keys": [`), bytes.Repeat([]byte(" "), 64<<10-10)...)
		for sent := 0; sent < 1<<30; sent += len(chunk) {
			n, err := w.Write(chunk)
			p.written.Add(int64(n))
			if err != nil {
				return
			}
			chunk = bytes.Repeat([]byte(" "), 64<<10)
		}
	default:
		p.mu.Lock()
		body, _ := json.Marshal(map[string]any{"keys": p.keys})
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

func jwkRSA(kid string, k *rsa.PublicKey) map[string]string {
	b64 := base64.RawURLEncoding.EncodeToString
	return map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

// logBuffer is a log the test reads while the refresher writes it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitClock is a fake clock that remembers the last timer's duration:
// the refresher's wait before its next fetch.
type waitClock struct {
	*testutil.FakeClock
	mu   sync.Mutex
	last time.Duration
}

func (c *waitClock) NewTimer(d time.Duration) checks.Timer {
	c.mu.Lock()
	c.last = d
	c.mu.Unlock()
	return c.FakeClock.NewTimer(d)
}

func (c *waitClock) lastWait() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// jwksRig is a key set over an idp, on a fake clock, and a verifier
// over it.
type jwksRig struct {
	t     *testing.T
	idp   *idp
	clock *waitClock
	log   *logBuffer
	keys  *jwksKeys
	jwt   *httphealth.JWT
	rsa   *rsa.PrivateKey
}

var rigKeys = sync.OnceValues(testutil.GenerateKeys)

func newRig(t *testing.T) *jwksRig {
	t.Helper()
	k, err := rigKeys()
	if err != nil {
		t.Fatal(err)
	}
	r := &jwksRig{t: t, idp: newIdP(t), clock: &waitClock{FakeClock: testutil.NewFakeClock(time.Unix(1_800_000_000, 0))}, log: &logBuffer{}, rsa: k.RSA}
	r.keys, err = newJWKSKeys(r.idp.url(), time.Hour, slog.New(slog.NewTextHandler(r.log, nil)), r.clock)
	if err != nil {
		t.Fatal(err)
	}
	r.keys.timeout = 2 * time.Second
	r.jwt, err = httphealth.NewJWT(httphealth.JWTConfig{KeySet: r.keys, Algorithms: []string{"RS256"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.stop(5 * time.Second) })
	return r
}

// stop stops the key set within d and returns how long it took.
func (r *jwksRig) stop(d time.Duration) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	r.keys.stop(ctx)
	return time.Since(start)
}

// settled waits until the refresher waits for its next fetch.
func (r *jwksRig) settled() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.clock.BlockUntil(ctx, 1); err != nil {
		r.t.Fatalf("the refresher did not finish its fetch: %v\n%s", err, r.log)
	}
}

// next moves the clock to the refresher's next fetch, waits for that
// fetch to end, and returns the wait it moved the clock by. (Moving the
// clock further could also fire the timer armed after a quick fetch.)
func (r *jwksRig) next() time.Duration {
	r.t.Helper()
	r.settled()
	d := r.clock.lastWait()
	r.clock.Advance(d)
	r.settled()
	return d
}

// auth verifies a token of kid signed with the rig's RSA key and returns
// the outcome and how long it took.
func (r *jwksRig) auth(kid string) (error, time.Duration) {
	r.t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, testutil.ValidClaims("", "", time.Hour))
	tok.Header["kid"] = kid
	s, err := tok.SignedString(r.rsa)
	if err != nil {
		r.t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+s)
	start := time.Now()
	err = r.jwt.Authenticate(req)
	return err, time.Since(start)
}

func (r *jwksRig) wantAuth(kid string, ok bool) {
	r.t.Helper()
	err, took := r.auth(kid)
	if (err == nil) != ok {
		r.t.Fatalf("token of kid %q: %v, want ok=%v\n%s", kid, err, ok, r.log)
	}
	if took > httphealth.DefaultKeyWait+500*time.Millisecond {
		r.t.Errorf("token of kid %q took %v, past the key wait", kid, took)
	}
}

// The provider is down at start: the failure is logged once however many
// retries fail; a token is refused meanwhile without waiting and without
// spending the unknown-kid allowance; once the provider is back, the
// next retry (at most jwksRetryMax later) loads the keys, the recovery is
// logged once, and the refused token's key verifies.
func TestJWKSDownAtStartRecoversWithinTheBackoff(t *testing.T) {
	r := newRig(t)
	r.idp.publish(jwkRSA("k1", &r.rsa.PublicKey))
	r.keys.start()
	r.settled()
	r.wantAuth("k1", false)
	for range 4 {
		if d := r.next(); d > jwksRetryMax {
			t.Fatalf("retry after %v, want at most %v", d, jwksRetryMax)
		}
	}
	if n := r.log.count(`msg="JWKS fetch failed"`); n != 1 {
		t.Errorf("%d failure lines for 5 failed fetches, want 1:\n%s", n, r.log)
	}
	if !strings.Contains(r.log.String(), `reason=down`) || strings.Contains(r.log.String(), "hunter2") {
		t.Errorf("the failure line lacks its reason or shows the URL's query:\n%s", r.log)
	}
	if s := r.keys.stats(); s.failures != 5 || s.lastReason != jwksDown || !s.lastSuccess.IsZero() {
		t.Errorf("stats %+v, want 5 failures, down, no success", s)
	}
	r.wantAuth("k1", false)

	r.idp.up()
	back := r.clock.Now()
	if d := r.next(); d > jwksRetryMax {
		t.Errorf("retry after %v, want at most %v", d, jwksRetryMax)
	}
	t.Logf("keys loaded %v (fake time) after the provider came back", r.clock.Now().Sub(back))
	r.wantAuth("k1", true)
	if n := r.log.count(`msg="JWKS fetch recovered"`); n != 1 {
		t.Errorf("%d recovery lines, want 1:\n%s", n, r.log)
	}
	if s := r.keys.stats(); s.failures != 0 || !s.lastSuccess.Equal(r.clock.Now()) {
		t.Errorf("stats %+v after recovery", s)
	}
	// The allowance was never spent: a rotated-in key is fetched at once.
	before := r.idp.fetches.Load()
	r.idp.publish(jwkRSA("k1", &r.rsa.PublicKey), jwkRSA("k2", &r.rsa.PublicKey))
	r.wantAuth("k2", true)
	if got := r.idp.fetches.Load(); got != before+1 {
		t.Errorf("fetches for a new kid: %d, want 1", got-before)
	}
}

// A fetch for an unknown kid that fails spends nothing: the retries bring
// the rotated key within jwksRetryMax of the provider's return, and the
// next unknown kid may still ask for a fetch. Random kids while the
// provider answers cost one fetch per jwksUnknownKIDInterval.
func TestJWKSFailedFetchSpendsNoAllowance(t *testing.T) {
	r := newRig(t)
	r.idp.publish(jwkRSA("k1", &r.rsa.PublicKey))
	r.idp.up()
	r.keys.start()
	r.settled()
	r.wantAuth("k1", true)

	r.idp.mode.Store("500")
	r.idp.publish(jwkRSA("k2", &r.rsa.PublicKey)) // rotated, but the provider fails
	before := r.idp.fetches.Load()
	r.wantAuth("k2", false) // asks for one fetch, which fails
	r.settled()
	if got := r.idp.fetches.Load() - before; got != 1 {
		t.Fatalf("fetches for the unknown kid: %d, want 1", got)
	}
	r.wantAuth("k1", true)  // the last good keys stay
	r.wantAuth("k3", false) // failing: no fetch, no wait
	if got := r.idp.fetches.Load() - before; got != 1 {
		t.Fatalf("an unknown kid while failing asked for a fetch (%d)", got)
	}
	r.idp.mode.Store("ok")
	back := r.clock.Now()
	if d := r.next(); d > jwksRetryMin { // the first retry comes within 1 s
		t.Errorf("first retry after %v, want at most %v", d, jwksRetryMin)
	}
	t.Logf("rotated key fetched %v (fake time) after the provider came back", r.clock.Now().Sub(back))
	r.wantAuth("k2", true)

	// Healthy: one fetch for the first unknown kid (k1, dropped), none
	// for the next ones until the interval passed.
	before = r.idp.fetches.Load()
	r.wantAuth("k1", false)
	for i := range 20 {
		r.wantAuth(fmt.Sprintf("random-%d", i), false)
	}
	if got := r.idp.fetches.Load() - before; got != 1 {
		t.Errorf("20 random kids caused %d fetches, want 1", got)
	}
	r.settled()
	r.clock.Advance(jwksUnknownKIDInterval)
	r.settled()
	r.wantAuth("random-again", false)
	if got := r.idp.fetches.Load() - before; got != 2 {
		t.Errorf("after the interval: %d fetches, want 2", got)
	}
	if n := r.log.count(`msg="JWKS fetch failed"`); n != 1 || !strings.Contains(r.log.String(), `error="status 500`) {
		t.Errorf("want one failure line with the status:\n%s", r.log)
	}
}

// A JWKS answer over the limit fails the fetch, logged once per reason,
// and the last good keys stay; the read stops near the limit (the server
// could write little more than the limit and the socket buffers of its
// 1 GiB). Invalid JSON, a bad status and a timeout keep the keys too, each
// logged once with its reason; the recovery is logged once.
func TestJWKSBadAnswersKeepTheLastGoodKeys(t *testing.T) {
	r := newRig(t)
	r.idp.publish(jwkRSA("k1", &r.rsa.PublicKey))
	r.idp.up()
	r.keys.start()
	r.settled()
	r.wantAuth("k1", true)

	steps := []struct{ mode, reason string }{
		{"huge", jwksTooBig},
		{"huge", jwksTooBig},
		{"huge-length", jwksTooBig},
		{"invalid", jwksInvalid},
		{"unsupported", jwksInvalid},
		{"500", jwksBadStatus},
		{"redirect-off", jwksBadStatus},
		{"hang", jwksTimeout},
	}
	for i, s := range steps {
		r.idp.mode.Store(s.mode)
		r.next() // the periodic refresh, then the retries
		if st := r.keys.stats(); st.lastReason != s.reason || st.failures != i+1 {
			t.Fatalf("after %s: stats %+v, want reason %q, %d failures\n%s", s.mode, st, s.reason, i+1, r.log)
		}
		if s.mode == "huge" {
			w := r.idp.written.Load()
			t.Logf("1 GiB answer: the server wrote %d KiB before the read stopped (limit %d KiB)", w>>10, jwksMaxBytes>>10)
			if w > 64<<20 {
				t.Errorf("the server wrote %d MiB: the read did not stop near the limit", w>>20)
			}
		}
		r.wantAuth("k1", true)
	}
	for _, reason := range []string{jwksTooBig, jwksInvalid, jwksBadStatus, jwksTimeout} {
		logged := "reason=" + strconv.Quote(reason)
		if !strings.Contains(reason, " ") {
			logged = "reason=" + reason + " "
		}
		if n := r.log.count(logged); n != 1 {
			t.Errorf("reason %s logged %d times, want once:\n%s", reason, n, r.log)
		}
	}
	r.idp.mode.Store("ok")
	r.next()
	if n := r.log.count(`msg="JWKS fetch recovered"`); n != 1 {
		t.Errorf("%d recovery lines, want 1:\n%s", n, r.log)
	}
}

// A fetch that hangs holds neither a token's verification past the key
// wait nor the stop.
func TestJWKSHangingFetchHoldsNothing(t *testing.T) {
	r := newRig(t)
	r.keys.timeout = time.Hour // only the stop ends it
	r.idp.mode.Store("hang")
	r.idp.up()
	r.keys.start()
	<-r.idp.arrived
	err, took := r.auth("k1") // waits for the first fetch, within the key wait
	if err == nil {
		t.Fatal("verified without keys")
	}
	t.Logf("token during the hanging first fetch: refused after %v", took)
	if took > httphealth.DefaultKeyWait+500*time.Millisecond {
		t.Errorf("token waited %v, past the key wait", took)
	}
	took = r.stop(5 * time.Second)
	t.Logf("stop during the hanging fetch: %v", took)
	select {
	case <-r.keys.done:
	default:
		t.Fatalf("the refresher still runs after stop (%v)", took)
	}
	if took > time.Second {
		t.Errorf("stop took %v", took)
	}
	if n := r.log.count("JWKS fetch failed"); n != 0 {
		t.Errorf("the stop was logged as a failed fetch:\n%s", r.log)
	}
}

// The statistics as Prometheus gauges.
func TestJWKSMetrics(t *testing.T) {
	r := newRig(t)
	reg := prometheus.NewPedanticRegistry()
	if err := registerJWKSMetrics(reg, "app", r.keys); err != nil {
		t.Fatal(err)
	}
	r.idp.publish(jwkRSA("k1", &r.rsa.PublicKey))
	r.idp.mode.Store("500")
	r.idp.up()
	start := r.clock.Now()
	r.keys.start()
	r.settled()
	r.clock.Advance(jwksRetryMin / 4) // before the retry (at least jwksRetryMin/2 after the failure)
	got := gather(t, reg)
	want := map[string]float64{
		"app_health_jwks_keys_age_seconds":                                    (jwksRetryMin / 4).Seconds(),
		"app_health_jwks_last_success_timestamp_seconds":                      0,
		`app_health_jwks_last_failure_timestamp_seconds{reason="bad status"}`: float64(start.Unix()),
		"app_health_jwks_consecutive_failures":                                1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	r.idp.mode.Store("ok")
	r.next() // the retry
	ok := r.clock.Now()
	r.clock.Advance(5 * time.Second)
	got = gather(t, reg)
	if got["app_health_jwks_keys_age_seconds"] != 5 || got["app_health_jwks_last_success_timestamp_seconds"] != float64(ok.UnixNano())/1e9 ||
		got["app_health_jwks_consecutive_failures"] != 0 {
		t.Errorf("after recovery: %v", got)
	}
}

func gather(t *testing.T, g prometheus.Gatherer) map[string]float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += fmt.Sprintf(`{%s=%q}`, l.GetName(), l.GetValue())
			}
			out[name] = m.GetGauge().GetValue()
		}
	}
	return out
}
