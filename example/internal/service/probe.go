package service

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultProbeURL is the public route of a service on the default port.
const DefaultProbeURL = "http://127.0.0.1:8788/healthcheck/"

// ProbeTimeout bounds the whole probe, below Docker's and Kubernetes'
// usual 5 s probe timeout.
const ProbeTimeout = 3 * time.Second

// probe GETs the URL in args (or DefaultProbeURL), prints one line and
// returns the exit code: 0 on a 2xx answer, 1 otherwise.
func probe(args []string, out io.Writer) int {
	url := DefaultProbeURL
	if len(args) > 0 {
		url = args[0]
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
