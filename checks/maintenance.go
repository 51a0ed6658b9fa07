package checks

import "time"

// Maintenance is the maintenance window of one replica: taken out of
// rotation on purpose (not ready, still live) by an operator or by the
// application. lifecycle.Lifecycle holds it (EnterMaintenance,
// EndMaintenance, Maintenance); httphealth serves and switches it,
// alerting holds its alerts and silences them in Alertmanager while it
// lasts. The zero value is "not in maintenance".
type Maintenance struct {
	// Active reports whether the replica is in maintenance now.
	Active bool
	// Reason is why, as the operator said it (free text, shown on the
	// status page and in the Alertmanager silence's comment).
	Reason string
	// By is who: the token's "sub" claim through the HTTP route, what the
	// application passed from code; may be empty.
	By string
	// Since is when the window began; Until, when it ends by itself.
	Since, Until time.Time
}
