// Package grpchealth serves the standard gRPC health service,
// grpc.health.v1.Health (Check, Watch and List), from a *checks.Runner, on
// the application's own *grpc.Server. Kubernetes probes it natively
// (`grpc:` probes, 1.27 and later), as do grpc-health-probe, Envoy and
// gRPC's client-side health checking.
//
// # Services
//
// The empty service name "" is the service as a whole: SERVING while the
// checks of the configured level (WithLevel, default checks.LevelStandard)
// aggregate to healthy or degraded and the Readiness (WithReadiness, e.g.
// the *lifecycle.Lifecycle) is ready; NOT_SERVING otherwise, so a service
// that is starting or draining reports NOT_SERVING at once. Each registered
// check's name is a service too: SERVING when the check is healthy or
// degraded, NOT_SERVING when unhealthy, UNKNOWN before its first result.
// Each group of WithGroups (healthfx: HEALTH_GROUPS) is a service too:
// SERVING while its checks aggregate to healthy or degraded. Any other
// name is NOT_FOUND for Check and SERVICE_UNKNOWN for Watch.
//
// Check answers like the HTTP routes do, from the runner's cache
// (Runner.Latest): it never waits on a dependency while a usable result
// exists and starts one background refresh of a result older than its TTL.
// Watch sends the current status, then each change, pushed by the runner's
// hooks (Hooks.OnTransition): nothing polls. A readiness change is not an
// event of the runner; a *lifecycle.Lifecycle given to WithReadiness tells
// it through its OnReadiness hook (New subscribes), so the gate passing and
// the drain beginning reach Watch at once; with any other Readiness, call
// Server.Update when it changes. List returns every service.
//
// # Why not google.golang.org/grpc/health's Server
//
// That server answers from a map that SetServingStatus fills. Fed by hooks
// alone, it would keep serving the last transition after the periodic
// checks stopped, and a gRPC probe could neither refresh a result past its
// TTL nor see one turn stale, nor see the drain until someone pushed it.
// This Server reads the runner and the readiness on each Check, so gRPC and
// HTTP probes give the same answer at the same moment, and keeps grpc's
// Watch semantics (latest status wins when a client reads slowly).
//
// # In an fx app
//
// Module (beside healthfx.Module) registers the Server on the app's
// *grpc.Server with healthfx's level, groups and readiness, and ends the
// Watch streams (after telling them NOT_SERVING) when healthfx's drain
// ends, before the app's GracefulStop runs.
//
// # Module
//
// This package is a nested module (github.com/echofx/healthcheck/grpchealth)
// so that users of the main module never download or compile grpc-go: only
// an application that imports grpchealth does. During development its
// go.mod replaces github.com/echofx/healthcheck with ../; on release it is
// tagged grpchealth/vX.Y.Z and the replace is dropped.
package grpchealth
