package probe

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Defaults of the probe (each option's doc states its own).
const (
	defaultCommand = "probe"         // the first argument that selects the probe
	defaultTimeout = 3 * time.Second // the whole probe: connect, request, headers and body
	defaultAddrEnv = "HTTP_ADDR"     // the variable holding the service's listen address
	defaultAddr    = ":8788"         // the listen address when the variable is unset
	defaultPath    = "/healthcheck/" // the route probed: the public health route
)

// maxBody is how much of the body is read (and discarded) before closing.
const maxBody = 64 << 10

// Main runs the probe and exits the process with its code (0 healthy, 1
// not) when os.Args[1] is the probe command ("probe" by default);
// otherwise it returns at once and main goes on. Options default as
// documented on each.
func Main(opts ...Option) {
	if code, ok := Handle(os.Args, opts...); ok {
		os.Exit(code)
	}
}

// Handle is Main without the exit, for a main that runs its own exit path
// or a test: when args[1] (args as os.Args) is the probe command it
// probes the URL in args[2] (an argument starting with "/" is a path on
// the default address), or the default URL, prints one line and returns
// the exit code (0 on a 2xx answer, 1 otherwise) with handled true;
// otherwise it returns 0, false and does nothing.
//
// The default URL is the listen address in the address variable
// ($HTTP_ADDR by default, see WithAddrEnv), else the default address
// (":8788", see WithAddr), with an unspecified host ("", "0.0.0.0", "::")
// read as the loopback, followed by the path ("/healthcheck/", see
// WithPath); an address without a port is an unhealthy probe naming it.
func Handle(args []string, opts ...Option) (code int, handled bool) {
	cfg := newConfig(opts)
	if len(args) < 2 || args[1] != cfg.command {
		return 0, false
	}
	target := ""
	if len(args) > 2 {
		target = args[2]
	}
	url, err := resolve(target, cfg)
	if err != nil {
		fmt.Fprintf(cfg.out, "probe: unhealthy: %s\n", oneLine(err.Error()))
		return 1, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	return get(ctx, url, cfg.out), true
}

// get GETs url under ctx, writes one line to out and returns the exit
// code: 0 on a 2xx answer ("probe: healthy: HTTP 200"), 1 otherwise
// ("probe: unhealthy: HTTP 503", or the error). It reads at most 64 KiB of
// the body and keeps no connection open.
func get(ctx context.Context, url string, out io.Writer) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(out, "probe: unhealthy: bad URL\n")
		return 1
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil, MaxResponseHeaderBytes: maxBody}}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(out, "probe: unhealthy: %s\n", oneLine(err.Error()))
		return 1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintf(out, "probe: unhealthy: HTTP %d\n", resp.StatusCode)
		return 1
	}
	fmt.Fprintf(out, "probe: healthy: HTTP %d\n", resp.StatusCode)
	return 0
}

// resolve turns the command-line target into the URL to probe.
func resolve(target string, cfg config) (string, error) {
	if target != "" && !strings.HasPrefix(target, "/") {
		return target, nil
	}
	path := cfg.path
	if target != "" {
		path = target
	}
	addr, from := cfg.addr, "default address"
	if v := cfg.getenv(cfg.addrEnv); v != "" {
		addr, from = v, cfg.addrEnv
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("bad address %q in %s: want host:port or :port", addr, from)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

// oneLine keeps an error text on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
