package checks

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"unicode"
)

// SafeError is implemented by errors whose SafeMessage is fit to show to
// anyone. The built-in checks return such errors.
type SafeError interface {
	error
	// SafeMessage returns the error's text without secrets (no DSN,
	// password, user name or internal host); the function SafeMessage
	// shows it as it is.
	SafeMessage() string
}

// maxMessage bounds a sanitized message, so a chatty error cannot bloat
// every response.
const maxMessage = 200

var (
	// scheme://user:pa@ss@host → scheme://***@host (up to the last '@'
	// before the path, as url.Parse splits it)
	reUserinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/?#]*@`)
	// IPv4 addresses with an optional port, and [IPv6]:port
	reAddr = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9a-fA-F:.]+\](?::\d+)?`)
	// user=app, host=db, database=orders in libpq-style strings
	reIdentKV = regexp.MustCompile(`(?i)\b((?:user|host|hostaddr|dbname|database)\s*=\s*)("[^"]*"|'[^']*'|[^\s&;,)]+)`)
	// password=secret, token: secret, ... in key/value strings
	reSecretKV = regexp.MustCompile(`(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|authorization)\s*[=:]\s*)(?:(?:bearer|basic)\s+)?("[^"]*"|'[^']*'|[^\s&;,]+)`)
	// Bearer abc.def.ghi
	reBearer = regexp.MustCompile(`(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*`)
	// "ERROR: message (SQLSTATE 3D000)", as pgx prints a server error
	reSQLStateText = regexp.MustCompile(`(?s)^(?:[A-Z]+)?: (.*) \(SQLSTATE [0-9A-Z]{5}\)$`)
)

// sqlStateError is implemented by the server errors of SQL drivers that
// carry an SQLSTATE code (pgx's *pgconn.PgError, lib/pq's *pq.Error).
type sqlStateError interface {
	error
	SQLState() string
}

// SafeMessage returns a short text for err that is safe to show in a
// public response, trying in order:
//   - the SafeMessage of the first SafeError in its chain;
//   - a class for well-known transport failures ("timeout", "connection
//     refused", "connection reset", "host not found", "canceled");
//   - for a database server error carrying an SQLSTATE (an error with a
//     SQLState() string method, such as pgx's *pgconn.PgError), the server's
//     message (authentication errors, which name the role, read
//     "authentication failed");
//   - for errors known to print hosts, users or URLs (pgx's ConnectError,
//     whose text begins "failed to connect to", url.Error, net.OpError), a
//     fixed class such as "connection failed";
//   - otherwise err's text with URL credentials, addresses, user/host/
//     database values, key=value secrets and bearer tokens redacted.
//
// Control characters become spaces and format characters are removed
// (see Redact), and the result is cut to 200 bytes. nil gives "".
func SafeMessage(err error) string {
	if err == nil {
		return ""
	}
	var (
		se     SafeError
		sqlErr sqlStateError
		urlErr *url.Error
		opErr  *net.OpError
	)
	switch {
	case errors.As(err, &se):
		return truncate(se.SafeMessage())
	case ErrorClass(err) != "":
		return ErrorClass(err)
	case errors.As(err, &sqlErr):
		return sqlStateMessage(sqlErr)
	case strings.HasPrefix(err.Error(), "failed to connect to "):
		// pgx's *pgconn.ConnectError: "failed to connect to `user=app
		// database=orders`: 10.0.0.1:5432 (db): ..."
		return "connection failed"
	case errors.As(err, &urlErr):
		return "request failed"
	case errors.As(err, &opErr):
		return opErr.Op + " failed"
	}
	return Redact(err.Error())
}

// sqlStateMessage is the public text of a database server error: its own
// message (e.g. `database "x" does not exist`), except for errors whose
// message names the role.
func sqlStateMessage(e sqlStateError) string {
	code := e.SQLState()
	msg := e.Error()
	if m := reSQLStateText.FindStringSubmatch(msg); m != nil {
		msg = m[1]
	}
	switch {
	case strings.HasPrefix(code, "28"):
		// invalid_authorization_specification, invalid_password:
		// `password authentication failed for user "app"`, `no pg_hba.conf
		// entry for host "10.0.0.1", user "app"...`.
		return "authentication failed"
	case code == "53300":
		// `too many connections for role "app"`.
		return "too many connections"
	case msg != "":
		return Redact(msg)
	}
	return "server error " + code
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

// Redact removes credentials and locations from s: URL user info, IP
// addresses with ports, user=/host=/database= values, password=/token=/
// secret= values and bearer tokens. Control characters (C0, DEL, C1) and
// the line and paragraph separators become spaces, and format characters
// (Unicode category Cf: the bidirectional overrides and isolates U+202A to
// U+202E and U+2066 to U+2069, zero-width characters such as U+200B,
// U+FEFF), which could make a message read other than it is, are removed.
// The result is cut to 200 bytes.
func Redact(s string) string {
	s = reUserinfo.ReplaceAllString(s, "${1}***@")
	s = reAddr.ReplaceAllString(s, "***")
	s = reIdentKV.ReplaceAllString(s, "${1}***")
	s = reSecretKV.ReplaceAllString(s, "${1}***")
	s = reBearer.ReplaceAllString(s, "${1}***")
	return truncate(s)
}

// truncate cleans s (cleanText), trims it and cuts it to maxMessage bytes.
// Every message a result carries goes through it.
func truncate(s string) string {
	s = strings.TrimSpace(cleanText(s))
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// cleanText replaces control characters and the line and paragraph
// separators with spaces and removes format characters (category Cf).
// Plain printable ASCII is returned as is, without allocating.
func cleanText(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return strings.Map(cleanRune, s)
		}
	}
	return s
}

func cleanRune(r rune) rune {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == '\u2028', r == '\u2029':
		return ' '
	case r >= 0x80 && unicode.Is(unicode.Cf, r):
		return -1
	}
	return r
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
