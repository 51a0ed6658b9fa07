package service

import (
	"log/slog"
	"net/http"
	"time"
)

// limits are what one client may hold of the server: each bounds how long
// a slow, idle or malicious client keeps a connection (a file descriptor
// and a goroutine) and how much it makes the server buffer. Without them
// (net/http's zero values) a client that sends one request on a keep-alive
// connection and then "GE" holds its connection forever, and a few hundred
// such clients exhaust the process's file descriptors.
type limits struct {
	// ReadHeader bounds a request's headers, from its first bytes (or
	// from the connection's opening, for its first request).
	ReadHeader time.Duration
	// Read bounds the whole request, body included, from its first bytes:
	// a body dripped byte by byte is cut when it passes.
	Read time.Duration
	// Write bounds the handler plus the response, from the end of the
	// request's headers. A handler still running when it passes has its
	// answer dropped (the client sees the connection close), so it must
	// exceed the slowest route.
	Write time.Duration
	// Idle bounds the wait for the next request on a keep-alive
	// connection, until its first 4 bytes have arrived: after them
	// ReadHeader takes over.
	Idle time.Duration
	// MaxHeaderBytes caps the request line and headers (net/http adds
	// 4 KB of slack); larger requests get 431.
	MaxHeaderBytes int
}

// serverLimits returns the example server's limits for a health check
// timeout of checkTimeout (HEALTH_CHECK_TIMEOUT, default 5 s). With the
// default: headers 5 s, request 10 s, response 30 s, idle 60 s, headers at
// most 64 KB. A half-sent request after a keep-alive is therefore cut
// within 60 s (fewer than 4 bytes: Idle; more: ReadHeader), and a dripped
// body within 10 s.
func serverLimits(checkTimeout time.Duration) limits {
	return limits{
		// Probes, Prometheus and proxies send their headers at once; 5 s
		// is generous for any honest client.
		ReadHeader: 5 * time.Second,
		// The service's routes take no body: a request that has not
		// fully arrived 10 s after its first bytes is a broken or hostile
		// client. (It does not cut handlers: net/http lifts the read
		// deadline once the request is read.)
		Read: 10 * time.Second,
		// The slowest route is the detailed one: for a check without a
		// usable result it waits up to the check timeout. 30 s leaves
		// 25 s of margin over the default 5 s; a longer check timeout
		// gets 10 s on top of it, so its "timeout" answer still reaches
		// the client.
		Write: max(30*time.Second, checkTimeout+10*time.Second),
		// 60 s keeps connections of probes and scrapes (every 10 to
		// 15 s) and of a proxy's pool open between requests, and bounds
		// an idle or half-sent keep-alive connection to a minute. A
		// proxy in front must close idle connections sooner (the deploy
		// kit's nginx: keepalive_timeout 50s).
		Idle: 60 * time.Second,
		// A bearer token is under 2 KB; 64 KB leaves room for a proxy's
		// forwarding headers and cookies, against net/http's 1 MB
		// default per connection.
		MaxHeaderBytes: 64 << 10,
	}
}

// newServer returns the http.Server for handler on addr with the limits l.
// net/http's own errors (accept failures, TLS handshakes, a handler's
// superfluous WriteHeader) go to logger at WARN: they are the server's
// trouble, not routine information, and without ErrorLog they would reach
// the standard log package, which slog.SetDefault routes at INFO.
func newServer(addr string, handler http.Handler, logger *slog.Logger, l limits) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}
