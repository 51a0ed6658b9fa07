package checks

import (
	"context"
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
)

// SafeError is implemented by errors whose SafeMessage is fit to show to
// anyone. The built-in checks return such errors.
type SafeError interface {
	error
	SafeMessage() string
}

// maxMessage bounds a sanitized message, so a chatty error cannot bloat
// every response.
const maxMessage = 200

var (
	// scheme://user:password@host → scheme://***@host
	reUserinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/@]*@`)
	// password=secret, token: secret, ... in key/value strings
	reSecretKV = regexp.MustCompile(`(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|authorization)\s*[=:]\s*)(?:(?:bearer|basic)\s+)?("[^"]*"|'[^']*'|[^\s&;,]+)`)
	// Bearer abc.def.ghi
	reBearer = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*`)
)

// SafeMessage returns a short text for err that is safe to show in a
// public response: the SafeMessage of the first SafeError in its chain;
// otherwise a class for well-known failures ("timeout", "connection
// refused", "connection reset", "host not found", "canceled"); otherwise
// err's text with URL credentials, key=value secrets and bearer tokens
// redacted, cut to 200 bytes. nil gives "".
func SafeMessage(err error) string {
	if err == nil {
		return ""
	}
	var se SafeError
	if errors.As(err, &se) {
		return truncate(se.SafeMessage())
	}
	if c := ErrorClass(err); c != "" {
		return c
	}
	return Redact(err.Error())
}

// ErrorClass names the class of well-known transport failures: "timeout",
// "connection refused", "connection reset", "host not found",
// "network unreachable" or "canceled"; "" for anything else.
func ErrorClass(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return "network unreachable"
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return "timeout"
		}
		return "host not found"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return ""
}

// Redact removes credentials from s: URL user info, password=/token=/
// secret= values and bearer tokens; the result is cut to 200 bytes.
func Redact(s string) string {
	s = reUserinfo.ReplaceAllString(s, "${1}***@")
	s = reSecretKV.ReplaceAllString(s, "${1}***")
	s = reBearer.ReplaceAllString(s, "${1}***")
	return truncate(s)
}

func truncate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// safeError is a SafeError carrying a cause that is never shown.
type safeError struct {
	msg   string
	cause error
}

func (e *safeError) Error() string       { return e.msg }
func (e *safeError) SafeMessage() string { return e.msg }
func (e *safeError) Unwrap() error       { return e.cause }

// NewSafeError returns an error whose text is msg and whose SafeMessage is
// msg too; cause stays reachable through errors.Is/As and Unwrap, but is
// never printed.
func NewSafeError(msg string, cause error) error { return &safeError{msg: msg, cause: cause} }
