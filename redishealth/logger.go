package redishealth

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// DialFailureEvery is the most often Logger writes go-redis's "failed to
// dial" line: once when dials start failing, then at most once per this
// period, with the count of the lines folded since.
const DialFailureEvery = time.Minute

// Logger returns a logger for go-redis (install it with redis.SetLogger)
// that writes go-redis's own lines to l (nil: slog.Default()) at warn, as
// "go-redis" with the line, addresses and credentials redacted
// (checks.Redact), in the application's log format instead of go-redis's
// own stderr logger.
//
// During a Redis outage go-redis logs "failed to dial" for every dial that
// fails: about once a second when the application's client is checked
// (each check run dials), more with traffic. The check already reports the
// outage (checks.LogTransitions writes the ERROR or WARN line when it
// happens), so Logger writes the first of those lines, then at most one per
// DialFailureEvery with "folded", the number of lines left out since.
// Every other line is written as it comes.
//
// go-redis's logger is process-wide, so this package never installs it:
// the application decides, once, at start:
//
//	redis.SetLogger(redishealth.Logger(logger))
//
// To drop go-redis's lines altogether, use go-redis's own
// redis.SetLogger(&logging.VoidLogger{}) (package
// github.com/redis/go-redis/v9/logging).
func Logger(l *slog.Logger) *RedisLogger {
	if l == nil {
		l = slog.Default()
	}
	return &RedisLogger{logger: l, now: time.Now}
}

// RedisLogger is the go-redis logger Logger returns; its Printf is the
// method go-redis calls.
type RedisLogger struct {
	logger *slog.Logger
	now    func() time.Time

	mu       sync.Mutex
	lastDial time.Time // when the last dial failure line was written
	folded   int       // dial failure lines left out since
}

// Printf implements go-redis's logging interface.
func (r *RedisLogger) Printf(ctx context.Context, format string, v ...any) {
	msg := checks.Redact(strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
	attrs := []slog.Attr{slog.String("message", msg)}
	if strings.Contains(format, "failed to dial") {
		r.mu.Lock()
		now := r.now()
		if !r.lastDial.IsZero() && now.Sub(r.lastDial) < DialFailureEvery {
			r.folded++
			r.mu.Unlock()
			return
		}
		if r.folded > 0 {
			attrs = append(attrs, slog.Int("folded", r.folded))
		}
		r.lastDial, r.folded = now, 0
		r.mu.Unlock()
	}
	r.logger.LogAttrs(ctx, slog.LevelWarn, "go-redis", attrs...)
}
