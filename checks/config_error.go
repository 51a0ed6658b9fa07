package checks

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalidConfig is matched under errors.Is by every *ConfigError, whichever
// package of this module returned it: test a configuration failure with
// errors.Is(err, checks.ErrInvalidConfig), read its setting with errors.As.
var ErrInvalidConfig = errors.New("invalid configuration")

// ConfigError is the one configuration error of this module: every package
// returns it (or wraps it) for a bad option, Config field or environment
// variable, so errors.As finds it across layers. Its text never holds a
// secret: Value is left empty for one.
type ConfigError struct {
	// Package is the package reporting it, e.g. "healthfx"; it prefixes
	// the text.
	Package string
	// Setting names what to change: an environment variable
	// ("HEALTH_CHECK_TIMEOUT"), a Config field ("Config.Timeout (set in
	// code)", "pgcheck.Config.SlowThreshold") or an option ("WithPrefix").
	Setting string
	// Value is the offending input, quoted in the text (its first 128
	// bytes, then "…"); empty for secrets and when there is nothing to show.
	Value string
	// Reason says what is accepted.
	Reason string
	// Err is a sentinel for callers that branch on the kind of failure
	// (e.g. httphealth.ErrDuplicateRoute); nil when there is none. It is
	// printed before the setting and returned by Unwrap.
	Err error
}

// Error formats "<package>: [<err>: ]<setting>[=<value>][: <reason>]", e.g.
//
//	healthfx: HEALTH_CHECK_TIMEOUT="soon": want a duration such as "5s"
func (e *ConfigError) Error() string {
	b := make([]byte, 0, 64)
	if e.Package != "" {
		b = append(b, e.Package...)
		b = append(b, ": "...)
	}
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
		if e.Setting != "" || e.Reason != "" {
			b = append(b, ": "...)
		}
	}
	b = append(b, e.Setting...)
	if e.Value != "" {
		b = append(b, '=')
		v := e.Value
		if len(v) > maxConfigValue { // a 70,000-byte value is not a readable error
			v = strings.ToValidUTF8(v[:maxConfigValue], "") + "…"
		}
		b = strconv.AppendQuote(b, v)
	}
	if e.Reason != "" {
		if e.Setting != "" || e.Value != "" {
			b = append(b, ": "...)
		}
		b = append(b, e.Reason...)
	}
	return string(b)
}

// maxConfigValue bounds how much of Value the text quotes.
const maxConfigValue = 128

// Unwrap returns Err.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidConfig) true for every *ConfigError.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }
