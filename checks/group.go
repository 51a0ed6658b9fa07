package checks

import (
	"fmt"
	"slices"
)

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
// listed once. The error is a *ConfigError (errors.Is(err, ErrInvalidConfig)),
// whose Setting names the group and whose Reason names the check at fault,
// if one is.
func ValidateGroups(groups []Group, registered func(name string) bool) error {
	seen := make(map[string]bool, len(groups))
	for _, g := range groups {
		if err := ValidateName(g.Name); err != nil {
			return groupError(g.Name, "invalid name")
		}
		switch {
		case seen[g.Name]:
			return groupError(g.Name, "listed twice")
		case registered(g.Name):
			return groupError(g.Name, "has the name of a check")
		case len(g.Checks) == 0:
			return groupError(g.Name, "lists no check")
		}
		seen[g.Name] = true
		for i, c := range g.Checks {
			if !registered(c) {
				return groupError(g.Name, fmt.Sprintf("unknown check %q", c))
			}
			if slices.Contains(g.Checks[:i], c) {
				return groupError(g.Name, fmt.Sprintf("lists check %q twice", c))
			}
		}
	}
	return nil
}

// groupError is ValidateGroups' error about the group named name.
func groupError(name, reason string) error {
	return &ConfigError{Package: "checks", Setting: fmt.Sprintf("group %q", name), Reason: reason}
}
