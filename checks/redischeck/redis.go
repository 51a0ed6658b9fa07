package redischeck

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// defaultSlowThreshold is Config.SlowThreshold's default.
const defaultSlowThreshold = 500 * time.Millisecond

// Config configures New. Zero fields take the documented defaults.
type Config struct {
	// Name of the check. Default "redis".
	Name string
	// Username, with Password, authenticates as an ACL user
	// ("AUTH <username> <password>", Redis 6 and later). Default: none.
	Username string
	// Password, when set, is sent with AUTH before PING. It never
	// appears in results. Default: no AUTH.
	Password string
	// TLS, when set, wraps the connection in TLS with this configuration
	// (a ServerName left empty is taken from addr's host). Default: plain
	// TCP.
	TLS *tls.Config
	// SlowThreshold: a probe (connect, AUTH and PING) slower than this
	// makes the check degraded with the message "slow response (612ms)".
	// Default 500 ms; negative (checks.Off)
	// disables.
	SlowThreshold time.Duration
}

// New returns an Optional, LevelStandard check (named cfg.Name, default
// "redis") that connects to the Redis server at addr ("host:port"),
// authenticates when cfg.Password is set, sends PING and expects PONG. It
// speaks the minimal RESP needed for that itself, over a new TCP connection
// per probe that is closed afterwards; every read and write is bounded by
// the context the runner passes.
//
// It is healthy on PONG, degraded when the probe took longer than
// cfg.SlowThreshold, and unhealthy otherwise: "authentication failed" when
// AUTH is refused (wrong password or user), "authentication required" when
// the server wants a password that was not configured, "unexpected reply"
// (with the server's error code, e.g. "unexpected reply (LOADING)") for
// other answers, or a transport class ("connection refused", "timeout",
// "connection closed", ...). The only detail is "response_ms"; the address,
// user name and password are never shown.
//
// An addr that is not "host:port" is a *checks.ConfigError naming
// "redischeck.New addr".
func New(addr string, cfg Config) (checks.Check, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return checks.Check{}, &checks.ConfigError{Package: "redischeck", Setting: "redischeck.New addr", Reason: "want host:port"}
	}
	name := cfg.Name
	if name == "" {
		name = "redis"
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = defaultSlowThreshold
	}
	fn := func(ctx context.Context) checks.Report {
		start := time.Now()
		msg, err := redisPing(ctx, addr, cfg.Username, cfg.Password, cfg.TLS)
		elapsed := time.Since(start)
		details := map[string]any{"response_ms": report.DurationMS(elapsed)}
		if err != nil {
			return report.Fail(msg, err, details)
		}
		if slow > 0 && elapsed > slow {
			return checks.Report{Status: checks.StatusDegraded, Message: report.SlowMessage(elapsed), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelStandard}, nil
}

// redisDial connects to addr, over TLS when tlsConfig is set.
func redisDial(ctx context.Context, addr string, tlsConfig *tls.Config) (net.Conn, error) {
	if tlsConfig == nil {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	cfg := tlsConfig.Clone()
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	d := tls.Dialer{Config: cfg}
	return d.DialContext(ctx, "tcp", addr)
}

// redisReplyError is a Redis error reply; its text is the server's, which
// is not shown.
type redisReplyError struct{ reply string }

func (e *redisReplyError) Error() string { return "redis: " + e.reply }

// redisMaxLine bounds a reply line.
const redisMaxLine = 4096

// redisPing runs one probe. On failure it returns the public message and
// the cause.
func redisPing(ctx context.Context, addr, user, password string, tlsConfig *tls.Config) (string, error) {
	conn, err := redisDial(ctx, addr, tlsConfig)
	if err != nil {
		return report.NetError(ctx, err), err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A context cancelled before its deadline unblocks I/O too.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	br := bufio.NewReaderSize(conn, redisMaxLine)
	roundTrip := func(args ...string) (string, error) {
		if _, err := conn.Write(redisCommand(args...)); err != nil {
			return "", err
		}
		line, err := br.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return "", errors.New("redis: reply line too long")
			}
			return "", err
		}
		return strings.TrimRight(string(line), "\r\n"), nil
	}
	ioMessage := func(err error) string {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return "connection closed"
		}
		if ctx.Err() == nil && checks.ErrorClass(err) == "" {
			return "unexpected reply"
		}
		return report.NetError(ctx, err)
	}

	if password != "" {
		args := []string{"AUTH", password}
		if user != "" {
			args = []string{"AUTH", user, password}
		}
		reply, err := roundTrip(args...)
		switch {
		case err != nil:
			return ioMessage(err), err
		case strings.HasPrefix(reply, "-"):
			// -WRONGPASS, -ERR invalid password, -ERR AUTH <password>
			// called without any password configured...
			return "authentication failed", &redisReplyError{reply}
		case reply != "+OK":
			return "unexpected reply", &redisReplyError{reply}
		}
	}
	reply, err := roundTrip("PING")
	switch {
	case err != nil:
		return ioMessage(err), err
	case reply == "+PONG":
		return "", nil
	case strings.HasPrefix(reply, "-NOAUTH"):
		return "authentication required", &redisReplyError{reply}
	case strings.HasPrefix(reply, "-"):
		if code := redisErrorCode(reply); code != "" {
			return "unexpected reply (" + code + ")", &redisReplyError{reply}
		}
	}
	return "unexpected reply", &redisReplyError{reply}
}

// redisCommand encodes args as a RESP array of bulk strings, which carries
// any byte (a password with spaces or CR LF included).
func redisCommand(args ...string) []byte {
	b := make([]byte, 0, 64)
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// redisErrorCode returns the leading upper-case code of an error reply
// ("-LOADING Redis is loading..." → "LOADING"), or "" when there is none
// or it is the generic "ERR" (whose text is not shown).
func redisErrorCode(reply string) string {
	code, _, _ := strings.Cut(strings.TrimPrefix(reply, "-"), " ")
	if code == "" || code == "ERR" || len(code) > 32 {
		return ""
	}
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			return ""
		}
	}
	return code
}
