package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// DefaultProbeURL is the public route of a service on the default port.
const DefaultProbeURL = "http://127.0.0.1:8788/healthcheck/"

// ownProbeURL is the public route of the service listening on addr (its
// HTTP_ADDR), DefaultProbeURL when addr is empty. A host that listens on
// every interface (":8788", "0.0.0.0:8788", "[::]:8788") is reached on
// 127.0.0.1.
func ownProbeURL(addr string) (string, error) {
	if addr == "" {
		return DefaultProbeURL, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New(`HTTP_ADDR: want host:port or :port, e.g. ":8788"`)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthcheck/", nil
}

// ProbeTimeout bounds the whole probe, below Docker's and Kubernetes'
// usual 5 s probe timeout.
const ProbeTimeout = 3 * time.Second

// probe GETs the URL in args (or the service's own public route, see
// ownProbeURL), prints one line and returns the exit code: 0 on a 2xx
// answer, 1 otherwise.
func probe(args []string, out io.Writer) int {
	var url string
	if len(args) > 0 {
		url = args[0]
	} else {
		var err error
		if url, err = ownProbeURL(os.Getenv("HTTP_ADDR")); err != nil {
			fmt.Fprintf(out, "probe: unhealthy: %v\n", err)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), ProbeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(out, "probe: unhealthy: bad URL\n")
		return 1
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(out, "probe: unhealthy: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintf(out, "probe: unhealthy: HTTP %d\n", resp.StatusCode)
		return 1
	}
	fmt.Fprintf(out, "probe: healthy: HTTP %d\n", resp.StatusCode)
	return 0
}
