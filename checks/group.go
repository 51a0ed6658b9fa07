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
	// Name names the group, safe as a path segment: 1 to 64 ASCII
	// letters, digits, '-', '_' and '.', not "." or "..", and not the
	// name of a registered check (gRPC serves both as services).
	Name string
	// Checks are the names of registered checks, at least one, each once.
	Checks []string
}

// ValidateGroups checks groups against the registered checks that
// registered reports: every name valid (see Group.Name) and distinct, no
// group named like a check, every group non-empty, every check of a group
// registered and listed once. A nil registered checks the groups' form
// only (names, emptiness, duplicates, and no group listing a group: a
// group that lists its own name has the name of a check, one that lists
// another group's name lists a group). The error is a *ConfigError
// (errors.Is(err, ErrInvalidConfig)), whose Setting names the group (its
// first 64 bytes when longer) and whose Reason names the check at fault,
// if one is.
func ValidateGroups(groups []Group, registered func(name string) bool) error {
	seen := make(map[string]bool, len(groups))
	isGroup := func(n string) bool {
		return slices.ContainsFunc(groups, func(g Group) bool { return g.Name == n })
	}
	for _, g := range groups {
		if !validGroupName(g.Name) {
			return groupError(g.Name, "invalid name: want 1 to 64 ASCII letters, digits, '-', '_' or '.', not \".\" or \"..\"")
		}
		switch {
		case seen[g.Name]:
			return groupError(g.Name, "listed twice")
		case registered != nil && registered(g.Name):
			return groupError(g.Name, "has the name of a check")
		case len(g.Checks) == 0:
			return groupError(g.Name, "lists no check")
		}
		seen[g.Name] = true
		for i, c := range g.Checks {
			if registered == nil || !registered(c) {
				switch {
				case c == g.Name:
					// Either c is a check (the clash) or nothing is: the
					// clash is what the author meant.
					return groupError(g.Name, "has the name of a check")
				case isGroup(c):
					return groupError(g.Name, fmt.Sprintf("lists group %q: a group lists checks, not groups", c))
				case registered != nil:
					return groupError(g.Name, fmt.Sprintf("unknown check %q", c))
				}
			}
			if slices.Contains(g.Checks[:i], c) {
				return groupError(g.Name, fmt.Sprintf("lists check %q twice", c))
			}
		}
	}
	return nil
}

// maxGroupName is the longest group name, in bytes.
const maxGroupName = 64

// validGroupName reports whether n is safe as a path segment: 1 to 64
// ASCII letters, digits, '-', '_' and '.', not "." or "..".
func validGroupName(n string) bool {
	if n == "" || len(n) > maxGroupName || n == "." || n == ".." {
		return false
	}
	for i := 0; i < len(n); i++ {
		switch c := n[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}

// groupError is ValidateGroups' error about the group named name.
func groupError(name, reason string) error {
	if len(name) > maxGroupName {
		name = name[:maxGroupName] + "…"
	}
	return &ConfigError{Package: "checks", Setting: fmt.Sprintf("group %q", name), Reason: reason}
}
