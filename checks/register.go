package checks

import (
	"fmt"
	"slices"
	"strings"
)

// Register adds checks, applying defaults to zero fields. It validates the
// whole set first and registers nothing on error. Errors are
// *ConfigError (errors.Is(err, ErrInvalidConfig)) naming the check and
// saying what is wrong: an invalid check, a duplicate name, an unknown
// dependency or a dependency cycle. Checks may be registered at
// any time; a new check reads StatusUnknown until it first runs.
func (r *Runner) Register(cs ...Check) error {
	if r.closed.Load() {
		return ErrClosed
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	added := make([]Check, 0, len(cs))
	names := make(map[string]bool, len(r.states)+len(cs))
	for n := range r.states {
		names[n] = true
	}
	for _, c := range cs {
		c, err := c.withDefaults()
		if err != nil {
			return err
		}
		if names[c.Name] {
			return registrationError(c.Name, errDuplicateCheck, "")
		}
		names[c.Name] = true
		added = append(added, c)
	}
	deps := make(map[string][]string, len(names))
	for n, st := range r.states {
		deps[n] = st.check.DependsOn
	}
	for _, c := range added {
		for _, d := range c.DependsOn {
			if !names[d] {
				return registrationError(c.Name, errUnknownDependency, fmt.Sprintf("%q is not registered", d))
			}
		}
		deps[c.Name] = c.DependsOn
	}
	if cycle := findCycle(deps); cycle != nil {
		return registrationError(cycle[0], errDependencyCycle, fmt.Sprint(cycle))
	}
	for _, c := range added {
		st := &state{check: c, last: Result{Name: c.Name, Criticality: c.Criticality, Level: c.Level}}
		st.trends.init(&r.cfg)
		if c.downstream {
			r.hasDownstream.Store(true)
		}
		r.states[c.Name] = st
		// A new slice each time: published snapshots keep the old one.
		r.order = append(slices.Clone(r.order), st)
	}
	slices.SortFunc(r.order, func(a, b *state) int { return strings.Compare(a.check.Name, b.check.Name) })
	r.notFresh.Add(int64(len(added))) // no result yet
	r.publishLocked()
	return nil
}

// findCycle returns the names along a dependency cycle, or nil.
func findCycle(deps map[string][]string) []string {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int, len(deps))
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		color[n] = grey
		path = append(path, n)
		for _, d := range deps[n] {
			switch color[d] {
			case grey:
				i := slices.Index(path, d)
				return append(slices.Clone(path[i:]), d)
			case white:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		color[n] = black
		return nil
	}
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if color[n] == white {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// publishLocked rebuilds the snapshot from the states, in name order.
// r.mu must be held.
func (r *Runner) publishLocked() {
	results := make([]Result, len(r.order))
	for i, st := range r.order {
		results[i] = st.last
	}
	r.snap.Store(newSnapshot(results, r.order))
}
