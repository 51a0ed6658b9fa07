// Package checkutil holds what the HTTP and downstream checks share: their
// HTTP client and the classification of its errors. The helpers every
// integration uses, which need no net/http, are in package report.
package checkutil

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// MaxHeaderBytes bounds the response headers NewHTTPClient's client reads.
const MaxHeaderBytes = 64 << 10

// maxRedirects is how many redirects NewHTTPClient's client follows.
const maxRedirects = 3

// NewHTTPClient returns the HTTP check's default client.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: -1}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			DisableKeepAlives:     true,
			ForceAttemptHTTP2:     true,
			ExpectContinueTimeout: time.Second,
			// A peer's headers are read up to 64 KiB (net/http's default is
			// 10 MiB); a larger answer is an error.
			MaxResponseHeaderBytes: MaxHeaderBytes,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return http.ErrUseLastResponse
			}
			// net/http strips only Authorization, Cookie and
			// WWW-Authenticate on a redirect to another host; custom
			// headers (API keys) would follow. Answer with the redirect
			// itself instead.
			if req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// PublicURL is u without user info, query and fragment, which may carry
// credentials.
func PublicURL(u *url.URL) string {
	v := *u
	v.User = nil
	v.RawQuery = ""
	v.ForceQuery = false
	v.Fragment = ""
	v.RawFragment = ""
	return v.String()
}

// HTTPErrorMessage classifies a client.Do error without repeating it: a
// *url.Error's text holds the whole URL, credentials included.
func HTTPErrorMessage(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return checks.ErrorClass(ctx.Err())
	}
	if c := checks.ErrorClass(err); c != "" {
		return c
	}
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alert       tls.AlertError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return "TLS certificate invalid"
	case errors.As(err, &recordErr), errors.As(err, &alert):
		return "TLS handshake failed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "request failed"
}
