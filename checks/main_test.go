package checks_test

import (
	"context"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/checkview"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// latestDetailed is the detailed route's read, which package checks lends
// to httphealth through internal/checkview.
func latestDetailed(r *checks.Runner, ctx context.Context) *checks.Snapshot {
	return checkview.LatestDetailed(r, ctx).(*checks.Snapshot)
}
