package checks

import (
	"errors"
	"fmt"
	"slices"
)

// ErrInvalidGroup is wrapped by the errors of ValidateGroups.
var ErrInvalidGroup = errors.New("invalid health group")

// Group is a named set of registered checks served as one probe, like
// Spring Boot's health groups: httphealth serves it at
// {prefix}/group/{Name}, grpchealth as the gRPC service Name. Its status is
// Aggregate over its checks' results and its failure message
// FailureMessage of them, whatever their Level.
type Group struct {
	// Name names the group: a check name's rules (ValidateName), and not
	// the name of a registered check (gRPC serves both as services).
	Name string
	// Checks are the names of registered checks, at least one, each once.
	Checks []string
}

// ValidateGroups checks groups against the registered checks that
// registered reports: every name valid and distinct, no group named like
// a check, every group non-empty, every check of a group registered and
// listed once. The error wraps ErrInvalidGroup and names the group and,
// when one is at fault, the check.
func ValidateGroups(groups []Group, registered func(name string) bool) error {
	seen := make(map[string]bool, len(groups))
	for _, g := range groups {
		if err := ValidateName(g.Name); err != nil {
			return fmt.Errorf("%w: group %q: invalid name", ErrInvalidGroup, g.Name)
		}
		switch {
		case seen[g.Name]:
			return fmt.Errorf("%w: group %q listed twice", ErrInvalidGroup, g.Name)
		case registered(g.Name):
			return fmt.Errorf("%w: group %q has the name of a check", ErrInvalidGroup, g.Name)
		case len(g.Checks) == 0:
			return fmt.Errorf("%w: group %q lists no check", ErrInvalidGroup, g.Name)
		}
		seen[g.Name] = true
		for i, c := range g.Checks {
			if !registered(c) {
				return fmt.Errorf("%w: group %q: unknown check %q", ErrInvalidGroup, g.Name, c)
			}
			if slices.Contains(g.Checks[:i], c) {
				return fmt.Errorf("%w: group %q lists check %q twice", ErrInvalidGroup, g.Name, c)
			}
		}
	}
	return nil
}

// Subset appends to dst the results of s whose names are listed in names,
// in s's order (by name), and returns it. Names s does not hold are
// skipped.
func (s *Snapshot) Subset(dst []Result, names []string) []Result {
	for i := range s.Results {
		if slices.Contains(names, s.Results[i].Name) {
			dst = append(dst, s.Results[i])
		}
	}
	return dst
}
