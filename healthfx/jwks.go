package healthfx

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/echofx/healthcheck/httphealth"
)

// JWKS fetching, for HEALTH_JWT_JWKS_URL.
const (
	// DefaultJWKSRefresh is HEALTH_JWT_JWKS_REFRESH's default: how often
	// the key set is fetched again in the background.
	DefaultJWKSRefresh = time.Hour
	// JWKSUnknownKIDInterval is the least time between two fetches made
	// because a token named a kid the set lacks (a provider that rotated
	// its keys); a request never waits for one longer than
	// httphealth.DefaultKeyWait (1 s).
	JWKSUnknownKIDInterval = 5 * time.Minute
	// jwksHTTPTimeout bounds a background fetch.
	jwksHTTPTimeout = 10 * time.Second
)

var errKeysNotLoaded = errors.New("JWKS not loaded yet")

// jwksKeys is an httphealth.KeySet over a JWKS URL, fetched by keyfunc on
// its own goroutine between start and stop. Until the first fetch
// completes, every lookup fails (401).
type jwksKeys struct {
	url     string
	refresh time.Duration
	logger  *slog.Logger

	kf        atomic.Pointer[keyfunc.Keyfunc]
	mu        sync.Mutex
	cancel    context.CancelFunc
	done      chan struct{}
	transport *http.Transport
}

// KeyfuncCtx implements httphealth.KeySet.
func (k *jwksKeys) KeyfuncCtx(ctx context.Context) jwt.Keyfunc {
	p := k.kf.Load()
	if p == nil {
		return func(*jwt.Token) (any, error) { return nil, errKeysNotLoaded }
	}
	return (*p).KeyfuncCtx(ctx)
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
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		k.transport = t.Clone()
	} else {
		// The app replaced http.DefaultTransport (instrumentation such as
		// otelhttp does): a transport of our own, with the defaults.
		k.transport = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true,
			TLSHandshakeTimeout: 10 * time.Second, IdleConnTimeout: 90 * time.Second, MaxIdleConns: 10}
	}
	client := &http.Client{Transport: k.transport}
	logger := k.logger
	go func() {
		defer close(k.done)
		// The first fetch runs here, bounded by jwksHTTPTimeout and stop;
		// a failure is logged and the keys come with a later refresh.
		kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{k.url}, keyfunc.Override{
			Client:            client,
			HTTPTimeout:       jwksHTTPTimeout,
			RateLimitWaitMax:  httphealth.DefaultKeyWait,
			RefreshInterval:   k.refresh,
			RefreshUnknownKID: rate.NewLimiter(rate.Every(JWKSUnknownKIDInterval), 1),
			RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
				return func(ctx context.Context, err error) {
					if ctx.Err() == nil {
						logger.Warn("JWKS fetch failed", "url", redactURL(k.url), "error", k.fetchClass(err))
					}
				}
			},
		})
		if err != nil {
			logger.Error("JWKS client failed", "url", redactURL(k.url), "error", k.fetchClass(err))
			return
		}
		k.kf.Store(&kf)
	}()
}

// stop ends the fetching goroutines (keyfunc's refresh loop ends with its
// context) and closes idle connections. Idempotent.
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

// fetchClass is a fetch error's class, without the URL's secrets.
func (k *jwksKeys) fetchClass(err error) string {
	return strings.ReplaceAll(fetchClass(err), k.url, redactURL(k.url))
}

func fetchClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + fetchClass(ue.Err)
	}
	return err.Error()
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
