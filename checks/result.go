package checks

import (
	"strings"
	"time"
)

// Result is the outcome of a check's latest execution as the runner reports
// it, with the bookkeeping that the detailed endpoint and metrics need.
// Results are values; their Details map is shared and must not be modified.
type Result struct {
	// Name, Criticality and Level repeat the check's.
	Name        string
	Criticality Criticality
	Level       Level
	// Status is the reported status, after flap damping. StatusUnknown
	// means the check has not run yet.
	Status Status
	// Observed is the status of the execution itself, before damping.
	Observed Status
	// Duration is how long the execution took (response_time_ms).
	Duration time.Duration
	// Message is a sanitized, short text safe to show: the error of a
	// failing check, the reason of a degraded one, or empty.
	Message string
	// Details are small observed values (pool sizes, status codes).
	Details map[string]any
	// Time is when the execution finished (the runner's clock).
	Time time.Time
	// LastSuccess is when the check last passed (healthy or degraded);
	// zero if never.
	LastSuccess time.Time
	// ConsecutiveFailures and ConsecutiveSuccesses count executions in a
	// row, before damping.
	ConsecutiveFailures  int
	ConsecutiveSuccesses int
	// Runs and Failures count every execution since registration.
	Runs, Failures uint64
	// Availability is the share of the recent history (see
	// WithHistorySize) whose executions passed (healthy or degraded), in
	// [0, 1]; 0 before the first run.
	Availability float64
	// Skipped is true when the Func was not called because a dependency
	// was unhealthy.
	Skipped bool
	// Permanent is true when this execution failed (Observed unhealthy)
	// and the check marked the failure permanent (Report.Permanent, or an
	// Err marked with Permanent): waiting will not cure it. The startup
	// gate stops on it.
	Permanent bool
}

// Transition is a change of a check's reported status. Listeners receive
// each transition exactly once, whoever triggered the execution.
type Transition struct {
	Check    string
	From, To Status
	// Message is the new result's sanitized message.
	Message string
	// At is when the new status was recorded.
	At time.Time
	// Since is how long the check had been in From (zero when From is
	// StatusUnknown).
	Since time.Duration
}

// Aggregate folds results into one status: any Required check unhealthy
// (or unknown) gives StatusUnhealthy; otherwise any check degraded, or an
// Optional check unhealthy (or unknown), gives StatusDegraded; otherwise
// StatusHealthy. No results is StatusHealthy.
func Aggregate(results []Result) Status { return aggregateAt(results, LevelComprehensive) }

// aggregateAt is Aggregate over the results that belong to level l.
func aggregateAt(results []Result, l Level) Status {
	s := StatusHealthy
	for i := range results {
		if l.Includes(results[i].Level) {
			s = worse(s, contribution(&results[i]))
		}
	}
	return s
}

func contribution(r *Result) Status {
	switch r.Status {
	case StatusHealthy:
		return StatusHealthy
	case StatusDegraded:
		return StatusDegraded
	default: // unhealthy or unknown
		if r.Criticality == Optional {
			return StatusDegraded
		}
		return StatusUnhealthy
	}
}

func worse(a, b Status) Status {
	if b > a {
		return b
	}
	return a
}

// FailureMessage describes why results aggregate to unhealthy: the messages
// of the failing Required checks joined by "; ". A message that does not
// already start with its check's name is prefixed with "<name>: ", so a
// missing database reads `database "x" does not exist` (the server's own
// message, the body probes and dashboards expect) and a refused Redis reads
// `redis: connection refused`. Empty when no required check fails.
func FailureMessage(results []Result) string { return failureMessageAt(results, LevelComprehensive) }

// failureMessageAt is FailureMessage over the results that belong to l.
func failureMessageAt(results []Result, l Level) string {
	var b strings.Builder
	for i := range results {
		r := &results[i]
		if !l.Includes(r.Level) || r.Criticality != Required || r.Status.OK() {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		msg := r.Message
		if msg == "" {
			msg = r.Status.String()
			if r.Status == StatusUnknown {
				msg = "not checked yet"
			}
		}
		if !strings.HasPrefix(msg, r.Name) {
			b.WriteString(r.Name)
			b.WriteString(": ")
		}
		b.WriteString(msg)
	}
	return b.String()
}

// Snapshot is an immutable view of every registered check's latest result,
// sorted by name, with the aggregate per level precomputed. Readers must not
// modify it.
type Snapshot struct {
	// Results holds one result per registered check, sorted by name.
	Results []Result

	status  [numLevels]Status
	message [numLevels]string
	local   localAggregates // without downstream checks (downstream_snapshot.go)
	states  []*state        // parallel to Results
}

func newSnapshot(results []Result, states []*state) *Snapshot {
	s := &Snapshot{Results: results, states: states}
	for l := Level(0); l < numLevels; l++ {
		s.status[l] = aggregateAt(results, l)
		s.message[l] = failureMessageAt(results, l)
	}
	s.local = newLocalAggregates(s, results, states)
	return s
}

// Status is the aggregate of every check (LevelComprehensive).
func (s *Snapshot) Status() Status { return s.status[LevelComprehensive] }

// StatusAt is the aggregate of the checks that belong to level l.
func (s *Snapshot) StatusAt(l Level) Status {
	if l >= numLevels {
		l = LevelComprehensive
	}
	return s.status[l]
}

// MessageAt is FailureMessage of the checks that belong to level l.
func (s *Snapshot) MessageAt(l Level) string {
	if l >= numLevels {
		l = LevelComprehensive
	}
	return s.message[l]
}

// Result returns the result of the named check.
func (s *Snapshot) Result(name string) (Result, bool) {
	for i := range s.Results {
		if s.Results[i].Name == name {
			return s.Results[i], true
		}
	}
	return Result{}, false
}
