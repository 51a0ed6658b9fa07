package checks

import "fmt"

// Status is the health of one check or of an aggregate. Its zero value is
// StatusUnknown, the status of a check that has not produced a result yet.
// It marshals to JSON as "unknown", "healthy", "degraded" or "unhealthy".
type Status uint8

// The statuses, from best to worst. Unknown sorts first because it carries no
// information; Aggregate treats it as a failure.
const (
	StatusUnknown Status = iota
	StatusHealthy
	StatusDegraded
	StatusUnhealthy
)

var statusNames = [...]string{"unknown", "healthy", "degraded", "unhealthy"}

// String returns the lower-case name used in JSON and logs.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) {
	if int(s) >= len(statusNames) {
		return nil, fmt.Errorf("checks: invalid status %d", uint8(s))
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if string(b) == n {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("checks: unknown status %q", b)
}

// OK reports whether the status lets traffic through: healthy or degraded.
func (s Status) OK() bool { return s == StatusHealthy || s == StatusDegraded }

// Criticality says whether a failing check makes the whole service unhealthy
// (Required, the zero value) or only degraded (Optional). The detailed
// route's "dependencies" map shows it as "required" or "optional".
type Criticality uint8

// The criticalities. Required is the zero value: a check is required unless
// it says otherwise.
const (
	Required Criticality = iota
	Optional
)

// String returns "required" or "optional".
func (c Criticality) String() string {
	if c == Optional {
		return "optional"
	}
	return "required"
}

// MarshalText implements encoding.TextMarshaler.
func (c Criticality) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Level is the breadth of a health report:
// LevelBasic (the database only), LevelStandard (the database and the main
// services) and LevelComprehensive (every dependency and the host's
// resources). A check declares the narrowest level it belongs to; it belongs
// to every broader level too. The zero value is LevelBasic.
type Level uint8

// The levels, from narrowest to broadest.
const (
	LevelBasic Level = iota
	LevelStandard
	LevelComprehensive
)

// numLevels is the number of levels, for arrays indexed by Level.
const numLevels = 3

var levelNames = [...]string{"basic", "standard", "comprehensive"}

// String returns "basic", "standard" or "comprehensive".
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// MarshalText implements encoding.TextMarshaler.
func (l Level) MarshalText() ([]byte, error) {
	if int(l) >= len(levelNames) {
		return nil, fmt.Errorf("checks: invalid level %d", uint8(l))
	}
	return []byte(levelNames[l]), nil
}

// Includes reports whether a check declared at level c belongs to a report
// of level l.
func (l Level) Includes(c Level) bool { return c <= l }

// ParseLevel parses "basic", "standard" or "comprehensive". Any other input
// returns a *ConfigError (errors.Is(err, ErrInvalidConfig)).
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return 0, &ConfigError{Package: "checks", Setting: "level", Value: s, Reason: "want basic, standard or comprehensive"}
}

// Value is the status as a gauge's value, the one every metrics adapter
// records: 1 healthy, 0.5 degraded, 0 unhealthy or unknown.
func (s Status) Value() float64 {
	switch s {
	case StatusHealthy:
		return 1
	case StatusDegraded:
		return 0.5
	default:
		return 0
	}
}
