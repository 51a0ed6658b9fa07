package healthfx

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/echofx/healthcheck/checks"
)

// JWKS fetching, for HEALTH_JWT_JWKS_URL.
const (
	// defaultJWKSRefresh is HEALTH_JWT_JWKS_REFRESH's default: how often
	// the key set is fetched again in the background while the provider
	// answers. After a failed fetch the next one comes sooner (1 s,
	// doubling to 30 s, jittered) until one succeeds.
	defaultJWKSRefresh = time.Hour
	// jwksUnknownKIDInterval is the least time between two fetches made
	// because a token named a kid the set lacks (a provider that rotated
	// its keys), so clients sending random kids cost the provider at most
	// one fetch per interval. Only a successful fetch spends it: after a
	// failed one the retries above take over, and the next token of an
	// unknown kid may ask again once the provider answers. A request
	// never waits for a fetch longer than httphealth.DefaultKeyWait
	// (1 s): the fetch goes on in the background.
	jwksUnknownKIDInterval = 5 * time.Minute

	// jwksMaxBytes bounds every read of the JWKS: 1 MiB. A set holds a
	// handful of public keys (an RSA-4096 JWK is under 1 KB, a few KB
	// with its x5c chain; the large public providers serve well under
	// 100 KB), so 1 MiB is ten times what any provider needs, and it
	// bounds what a misconfigured URL or a broken provider can make the
	// service hold in memory. A bigger answer fails the fetch ("too
	// big") and the last good keys stay.
	jwksMaxBytes = 1 << 20
	// jwksHTTPTimeout bounds a fetch, headers and body.
	jwksHTTPTimeout = 10 * time.Second
	// jwksRetryMin and jwksRetryMax bound the wait before the next fetch
	// after a failed one: the first, doubling to the second.
	jwksRetryMin = time.Second
	jwksRetryMax = 30 * time.Second
)

// jwksKeys is an httphealth.KeySet over a JWKS URL, fetched on its own
// goroutine between start and stop (jwks_fetch.go). The keys of the last
// good fetch serve every lookup; until the first fetch succeeds, every
// lookup fails (401).
type jwksKeys struct {
	url     string
	refresh time.Duration
	timeout time.Duration // of a fetch: jwksHTTPTimeout
	logger  *slog.Logger
	clock   checks.Clock

	keys      *jwkset.MemoryJWKSet // the last good set
	kf        keyfunc.Keyfunc      // over keys, through kidStorage
	transport *http.Transport
	client    *http.Client
	kick      chan struct{} // capacity 1: a token of an unknown kid asks for a fetch

	mu       sync.Mutex
	cancel   context.CancelFunc
	done     chan struct{}
	stopped  bool
	inFlight bool          // a fetch runs (or is about to)
	round    chan struct{} // closed when the fetch in flight (else the next one) ends
	loaded   bool          // a fetch succeeded once
	kidSpent time.Time     // when the last successful fetch for an unknown kid ended
	stat     jwksStats
	reason   string // the failure class last logged, "" while the provider answers
	// failingSince is when the first of the failed fetches in a row ended.
	failingSince time.Time
}

// newJWKSKeys returns the key set of url, idle until start.
func newJWKSKeys(u string, refresh time.Duration, logger *slog.Logger, clock checks.Clock) (*jwksKeys, error) {
	k := &jwksKeys{url: u, refresh: refresh, timeout: jwksHTTPTimeout, logger: logger, clock: clock,
		keys: jwkset.NewMemoryStorage(), kick: make(chan struct{}, 1), round: make(chan struct{})}
	kf, err := keyfunc.New(keyfunc.Options{Storage: kidStorage{k.keys, k}})
	if err != nil {
		return nil, err
	}
	k.kf = kf
	return k, nil
}

// KeyfuncCtx implements httphealth.KeySet.
func (k *jwksKeys) KeyfuncCtx(ctx context.Context) jwt.Keyfunc {
	return k.kf.KeyfuncCtx(ctx)
}

// kidStorage is the key set as keyfunc reads it: a kid the last good set
// lacks waits (within the lookup's context) for a fetch, when one is in
// flight or the unknown-kid allowance permits one.
type kidStorage struct {
	*jwkset.MemoryJWKSet
	k *jwksKeys
}

// KeyRead implements jwkset.Storage.
func (s kidStorage) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	jwk, err := s.MemoryJWKSet.KeyRead(ctx, kid)
	if !errors.Is(err, jwkset.ErrKeyNotFound) || !s.k.awaitFetch(ctx) {
		return jwk, err
	}
	return s.MemoryJWKSet.KeyRead(ctx, kid)
}

// awaitFetch waits, at most until ctx ends, for the fetch in flight, or
// asks for one when the provider answered last and the unknown-kid
// allowance is not spent. It reports whether a fetch ended meanwhile.
// While the last fetch failed it returns false at once: the retries run
// on their own schedule, and random kids must not hurry them.
func (k *jwksKeys) awaitFetch(ctx context.Context) bool {
	k.mu.Lock()
	if k.cancel == nil || k.stopped {
		k.mu.Unlock()
		return false
	}
	round := k.round
	switch {
	case k.inFlight:
	case !k.loaded || k.stat.failures > 0:
		k.mu.Unlock()
		return false
	case k.kidSpent.IsZero() || k.clock.Now().Sub(k.kidSpent) >= jwksUnknownKIDInterval:
		select {
		case k.kick <- struct{}{}:
		default:
		}
	default:
		k.mu.Unlock()
		return false
	}
	k.mu.Unlock()
	select {
	case <-round:
		return true
	case <-ctx.Done():
		return false
	}
}

// start begins fetching in the background; it never waits on the
// provider. Idempotent.
func (k *jwksKeys) start() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel, k.done = cancel, make(chan struct{})
	k.stat.started = k.clock.Now()
	k.inFlight = true // the first fetch: lookups until it ends wait for it
	k.transport = jwksTransport()
	k.client = &http.Client{
		Transport: limitedTransport{next: k.transport, max: jwksMaxBytes},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			if why := validJWKSURL(req.URL.String()); why != "" {
				return &jwksError{jwksBadStatus, "redirect refused: " + why}
			}
			return nil
		},
	}
	go k.run(ctx)
}

// jwksTransport is a clone of http.DefaultTransport, with response
// headers bounded too.
func jwksTransport() *http.Transport {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		// The app replaced http.DefaultTransport (instrumentation such as
		// otelhttp does): a transport of our own, with the defaults.
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
			TLSHandshakeTimeout: 10 * time.Second, IdleConnTimeout: 90 * time.Second, MaxIdleConns: 10}
	}
	t.MaxResponseHeaderBytes = 64 << 10
	return t
}

// stop ends the fetching goroutine, aborting a fetch in flight, waits for
// it at most until ctx ends, and closes idle connections. Idempotent.
func (k *jwksKeys) stop(ctx context.Context) {
	k.mu.Lock()
	cancel, done, tr := k.cancel, k.done, k.transport
	k.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	select {
	case <-done:
	case <-ctx.Done():
	}
	tr.CloseIdleConnections()
}

// redactURL drops the user information and query of u.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	p.User, p.RawQuery, p.Fragment = nil, "", ""
	return p.String()
}

// validJWKSURL says what is wrong with u as a JWKS URL, or "": https, or
// http to a loopback host only (keys over plain HTTP could be replaced on
// the way).
func validJWKSURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "want an absolute https:// URL"
	}
	switch p.Scheme {
	case "https":
		return ""
	case "http":
		host := p.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return ""
		}
		return "want https:// (plain http only to a loopback host): keys fetched over http could be replaced on the way"
	}
	return "want an absolute https:// URL"
}
