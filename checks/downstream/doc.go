// Package downstream checks other services that run this library (or
// answer application/health+json) through their public health route, given
// its URL: New reads healthy, degraded or unhealthy with the service's own
// message and, given a token for its detailed route, nests the statuses of
// its checks.
//
// Its Check is marked as a downstream check (package checks keeps the mark
// unexported and lends it to package httphealth through an internal hook).
//
// Services that list each other must not reflect each other's state back
// forever, nor fan out requests recursively. The rule: every request made
// by a downstream check carries Header, and a service answering such a
// request leaves out ALL of its own downstream checks: package httphealth
// reads the runner without them (neither running nor waiting for a
// downstream check) and answers with the aggregate over the others. A
// downstream check therefore sees its
// peer's own dependencies only, so when a shared outage ends every
// service returns to healthy within two check runs, and a request never
// causes another request. Like every check, a downstream check runs in
// the background (periodic runner, TTL refreshes), never on the path of
// the request that reads it, except the first read before any result.
//
// # Limits
//
// Every read from the peer is bounded, whatever it sends: the public
// route's body at 64 KiB (a larger 2xx answer reads unhealthy, "invalid
// health response (over 64 KiB)") and the detailed route's at 256 KiB (its
// nested checks are then left out, "response too large"), response headers
// at 64 KiB,
// at most 3 redirects, each request by the check's Timeout; the default
// client keeps no idle connection, so no goroutine outlives a run.
package downstream
