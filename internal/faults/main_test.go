package faults_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m, ignoreToxics) }

// ignoreToxics ignores the goroutines of Toxiproxy's toxics, the harness's
// own: v2.12.0's bandwidth toxic can be left blocked forever on an
// unguarded send (toxics/bandwidth.go:45) when its link closes while it
// splits a chunk. The library's goroutines are never under this frame.
var ignoreToxics = goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2/toxics.(*ToxicStub).Run")
