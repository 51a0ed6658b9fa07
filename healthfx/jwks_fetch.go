package healthfx

// The JWKS refresher: one goroutine fetches the set (at start, every
// refresh, for an unknown kid, and after a failure with capped backoff),
// reads at most jwksMaxBytes of it, keeps the last good keys, and logs a
// failure once per change of its reason and the recovery once.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
)

var errJWKSTooBig = fmt.Errorf("answer over %d bytes", jwksMaxBytes)

// The classes of a failed fetch, as logged and exported.
const (
	jwksDown      = "down"         // no answer: refused, reset, DNS, TLS
	jwksBadStatus = "bad status"   // an answer other than 200 (or a refused redirect)
	jwksInvalid   = "invalid JSON" // a body that is not a JWKS with a usable key
	jwksTooBig    = "too big"      // a body over jwksMaxBytes
	jwksTimeout   = "timeout"      // no full answer within jwksHTTPTimeout
	jwksCanceled  = "canceled"     // stopped: neither logged nor counted
)

// jwksStats is what the refresher knows about its fetches.
type jwksStats struct {
	started     time.Time // start
	lastSuccess time.Time // zero until a fetch succeeds
	lastFailure time.Time // zero until a fetch fails
	lastReason  string    // the class of the last failure
	failures    int       // consecutive failed fetches; 0 when the last succeeded
}

// stats returns the refresher's statistics.
func (k *jwksKeys) stats() jwksStats {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stat
}

// run fetches until ctx ends: at once, then after each fetch waits for
// the refresh interval (the backoff after a failure) or a kick.
func (k *jwksKeys) run(ctx context.Context) {
	defer close(k.done)
	defer func() {
		k.mu.Lock()
		k.stopped, k.inFlight = true, false
		close(k.round) // waiters return at once
		k.mu.Unlock()
	}()
	byKID := false
	for {
		keys, err := k.fetch(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := k.finish(keys, err, byKID)
		t := k.clock.NewTimer(wait)
		byKID = false
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		case <-k.kick:
			t.Stop()
			byKID = true
		}
		k.mu.Lock()
		k.inFlight = true
		k.mu.Unlock()
	}
}

// finish records a fetch's outcome, logs it, then, on success, replaces
// the last good keys with the fetched ones (after the line, so that who
// sees the new keys sees the line), wakes its waiters and returns the wait
// before the next fetch.
func (k *jwksKeys) finish(keys []jwkset.JWK, err error, byKID bool) time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.clock.Now()
	defer func() { // last, once the keys are in place: wake the waiters
		close(k.round)
		k.round = make(chan struct{})
	}()
	k.inFlight = false
	select {
	case <-k.kick: // asked before this fetch began: it answered them
	default:
	}
	url := redactURL(k.url)
	if err == nil {
		n := len(keys)
		switch {
		case k.stat.failures > 0:
			k.logger.Info("JWKS fetch recovered", "url", url, "keys", n,
				"failed_fetches", k.stat.failures, "failing_for", now.Sub(k.failingSince).Round(time.Millisecond))
		case !k.loaded:
			k.logger.Info("JWKS loaded", "url", url, "keys", n)
		}
		if byKID {
			k.kidSpent = now
		}
		k.loaded, k.reason = true, ""
		k.stat.lastSuccess, k.stat.failures = now, 0
		_ = k.keys.KeyReplaceAll(context.Background(), keys) // a memory store: it cannot fail
		return k.refresh
	}
	class, detail := jwksFailure(err)
	detail = strings.ReplaceAll(detail, k.url, url)
	if class == jwksTimeout {
		detail = fmt.Sprintf("no full answer within %v", k.timeout)
	}
	k.stat.failures++
	if k.stat.failures == 1 {
		k.failingSince = now
	}
	k.stat.lastFailure, k.stat.lastReason = now, class
	if class != k.reason {
		tokens := "all refused: no keys yet"
		if k.loaded {
			tokens = "verified with the last good keys"
		}
		k.logger.Warn("JWKS fetch failed", "url", url, "reason", class, "error", detail, "tokens", tokens,
			"retry", fmt.Sprintf("after %v, doubling to %v, until one succeeds", jwksRetryMin, jwksRetryMax))
		k.reason = class
	}
	return jwksBackoff(k.stat.failures)
}

// jwksBackoff is the wait after the failures-th failed fetch in a row:
// jwksRetryMin doubling to jwksRetryMax, between half and all of it.
func jwksBackoff(failures int) time.Duration {
	d := jwksRetryMax
	if failures < 6 {
		d = min(jwksRetryMin<<(failures-1), jwksRetryMax)
	}
	return d/2 + rand.N(d/2+1)
}

// jwksError is a failed fetch with its class (one of the constants
// above) and its description, as logged.
type jwksError struct{ class, detail string }

func (e *jwksError) Error() string { return e.class + ": " + e.detail }

// fetch reads the set, under ctx and k.timeout, and returns its usable
// keys (at least one) or why there are none. The body is
// bounded by the client's transport (limitedTransport); jwkset parses the
// keys, leaving out the ones of a type it does not support, as its own
// HTTP storage does.
func (k *jwksKeys) fetch(ctx context.Context) ([]jwkset.JWK, error) {
	ctx, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &jwksError{jwksBadStatus, "status " + strconv.Itoa(resp.StatusCode)}
	}
	var set jwkset.JWKSMarshal
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		if class, _ := jwksFailure(err); class != jwksInvalid {
			return nil, err // a read error (too big, timeout, canceled) as it is
		}
		return nil, &jwksError{jwksInvalid, "not a JWKS: " + err.Error()}
	}
	keys := make([]jwkset.JWK, 0, len(set.Keys))
	for _, m := range set.Keys {
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{Private: true}, jwkset.JWKValidateOptions{})
		switch {
		case errors.Is(err, jwkset.ErrUnsupportedKey):
			continue
		case err != nil:
			return nil, &jwksError{jwksInvalid, err.Error()}
		}
		keys = append(keys, jwk)
	}
	if len(keys) == 0 {
		return nil, &jwksError{jwksInvalid, "no usable key in the set"}
	}
	return keys, nil
}

// jwksFailure is a failed fetch's class and its description.
func jwksFailure(err error) (class, detail string) {
	var je *jwksError
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.As(err, &je):
		return je.class, je.detail
	case errors.Is(err, errJWKSTooBig):
		return jwksTooBig, errJWKSTooBig.Error()
	case errors.Is(err, context.Canceled):
		return jwksCanceled, "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return jwksTimeout, "no full answer in time"
	case errors.As(err, &ue):
		return jwksDown, ue.Err.Error()
	}
	return jwksInvalid, err.Error()
}

// limitedTransport fails a response whose body is over max bytes: at
// once when it says so (Content-Length), else once max+1 bytes arrived.
type limitedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, errJWKSTooBig
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, max: t.max}
	return resp, nil
}

// limitedBody reads at most max bytes of a body, then fails with
// errJWKSTooBig if there is more.
type limitedBody struct {
	io.ReadCloser
	max, n int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.n > b.max {
		return 0, errJWKSTooBig
	}
	if room := b.max + 1 - b.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if b.n > b.max {
		return n - 1, errJWKSTooBig
	}
	return n, err
}
