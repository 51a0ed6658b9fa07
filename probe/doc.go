// Package probe turns a service's own binary into its health probe, for
// images without curl or wget (distroless, scratch): one line at the top
// of main answers `myservice probe [URL]` and exits, and does nothing
// otherwise.
//
//	func main() {
//		probe.Main() // `myservice probe` exits here with the probe's code
//		...          // the service as usual
//	}
//
// and in the Dockerfile:
//
//	HEALTHCHECK --interval=10s --timeout=5s CMD ["/myservice", "probe"]
//
// The probe sends one GET and prints one line: exit code 0 on a 2xx answer
// ("probe: healthy: HTTP 200"), 1 on anything else ("probe: unhealthy: HTTP
// 500", or the transport error), within 3 s (WithTimeout; below the
// usual 5 s probe timeout of Docker and Kubernetes).
//
// Without a URL argument it probes the service's own address: the listen
// address in $HTTP_ADDR (":8788" and "0.0.0.0:8788" read as 127.0.0.1:8788),
// else ":8788", on "/healthcheck/" (WithAddrEnv, WithAddr, WithPath). An argument that starts
// with "/" is a path on that address ("myservice probe /healthcheck/ready").
//
// The package imports only the standard library, so embedding it adds
// nothing to a binary's dependencies.
//
// # Limits
//
// The probe reads response headers up to 64 KiB and at most 64 KiB of the
// body (discarded: the status code decides), and the whole exchange is
// bounded by its timeout (3 s by default).
package probe
