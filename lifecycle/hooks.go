package lifecycle

// Hooks receive lifecycle events, for metrics. Nil fields are skipped. They
// are called synchronously, must be quick and must not block; a panicking
// hook is recovered and ignored.
type Hooks struct {
	// OnStartupAttempt is called by the startup gate after each attempt of
	// each check it waits for, with the attempt number (from 1) and
	// whether the check passed (healthy or degraded).
	OnStartupAttempt func(check string, attempt int, ok bool)
	// OnRemediation is called after each run of a check's Remediate, with
	// its error (nil on success; a recovered panic or an exceeded timeout
	// is an error).
	OnRemediation func(check string, err error)
}

// emit calls f for every hook set, recovering panics.
func emit(hooks []Hooks, f func(Hooks)) {
	for _, h := range hooks {
		func() {
			defer func() { _ = recover() }()
			f(h)
		}()
	}
}

func (c *config) startupAttempt(check string, attempt int, ok bool) {
	emit(c.hooks, func(h Hooks) {
		if h.OnStartupAttempt != nil {
			h.OnStartupAttempt(check, attempt, ok)
		}
	})
}

func (c *config) remediation(check string, err error) {
	emit(c.hooks, func(h Hooks) {
		if h.OnRemediation != nil {
			h.OnRemediation(check, err)
		}
	})
}
