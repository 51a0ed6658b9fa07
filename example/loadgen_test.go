package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the soak test's tools: a bounded HTTP load generator for
// the health routes, a reader of the Prometheus text format and a counter
// of the TCP connections to a port.

// soakRoute is one of the health routes the load generator requests.
type soakRoute int

const (
	soakPublic soakRoute = iota
	soakReady
	soakLive
	soakDetailed
	soakNumRoutes
)

var soakRoutePaths = [soakNumRoutes]string{"/healthcheck/", "/healthcheck/ready", "/healthcheck/live", "/healthcheck/detailed"}

func (r soakRoute) String() string { return soakRoutePaths[r] }

// soakPickRoute spreads requests over the routes: 70 % public, 10 % each of
// ready, live and detailed.
func soakPickRoute(i int) soakRoute {
	switch i % 10 {
	case 7:
		return soakReady
	case 8:
		return soakLive
	case 9:
		return soakDetailed
	}
	return soakPublic
}

// soakLoadConfig configures soakStartLoad.
type soakLoadConfig struct {
	baseURL string
	workers int
	// rps caps the total request rate: each worker paces itself at
	// rps/workers (no shared state per request); 0 means flat out.
	rps     float64
	timeout time.Duration // per request, client side
	token   string        // bearer token of the detailed route
	phases  int
	phase   *atomic.Int32 // the phase a request is counted in, read when it starts
	// validate checks a response; it returns a description of what is
	// wrong ("" if nothing) and, for failure bodies, their error message.
	validate func(r soakRoute, code int, body []byte) (problem, message string)
}

// soakPhaseStats is what happened during one phase (one worker's, or merged).
type soakPhaseStats struct {
	requests      int
	byRoute       [soakNumRoutes]int
	codes         map[string]int // "route code" -> count
	lat           []time.Duration
	max           time.Duration
	maxRoute      soakRoute
	transportErrs int
	invalid       int
	examples      []string       // the first problems
	messages      map[string]int // error messages of failure bodies
}

const soakMaxExamples = 10

func (s *soakPhaseStats) example(format string, args ...any) {
	if len(s.examples) < soakMaxExamples {
		s.examples = append(s.examples, fmt.Sprintf(format, args...))
	}
}

// merge adds o into s.
func (s *soakPhaseStats) merge(o *soakPhaseStats) {
	s.requests += o.requests
	for i := range s.byRoute {
		s.byRoute[i] += o.byRoute[i]
	}
	for k, v := range o.codes {
		s.codes[k] += v
	}
	for k, v := range o.messages {
		s.messages[k] += v
	}
	s.lat = append(s.lat, o.lat...)
	if o.max > s.max {
		s.max, s.maxRoute = o.max, o.maxRoute
	}
	s.transportErrs += o.transportErrs
	s.invalid += o.invalid
	for _, e := range o.examples {
		if len(s.examples) < soakMaxExamples {
			s.examples = append(s.examples, e)
		}
	}
}

// quantile returns the q-quantile of the latencies (nearest rank); sort
// them first.
func (s *soakPhaseStats) quantile(q float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(s.lat)))) - 1
	return s.lat[max(0, min(i, len(s.lat)-1))]
}

func soakNewPhaseStats(n int) []soakPhaseStats {
	st := make([]soakPhaseStats, n)
	for i := range st {
		st[i].codes = map[string]int{}
		st[i].messages = map[string]int{}
	}
	return st
}

// soakLoadGen is a running load generator.
type soakLoadGen struct {
	cfg       soakLoadConfig
	transport *http.Transport
	client    *http.Client
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	stats     [][]soakPhaseStats // per worker, per phase; read after wg.Wait
}

// soakStartLoad starts cfg.workers workers sharing one keep-alive client.
func soakStartLoad(cfg soakLoadConfig) *soakLoadGen {
	tr := &http.Transport{
		Proxy:               nil, // loopback only, whatever the environment says
		MaxIdleConns:        cfg.workers,
		MaxIdleConnsPerHost: cfg.workers,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &soakLoadGen{
		cfg:       cfg,
		transport: tr,
		client:    &http.Client{Transport: tr, Timeout: cfg.timeout},
		cancel:    cancel,
		stats:     make([][]soakPhaseStats, cfg.workers),
	}
	for w := range cfg.workers {
		g.stats[w] = soakNewPhaseStats(cfg.phases)
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.worker(ctx, w, g.stats[w])
		}()
	}
	return g
}

func (g *soakLoadGen) worker(ctx context.Context, id int, st []soakPhaseStats) {
	var reqs [soakNumRoutes]*http.Request
	for r := range soakNumRoutes {
		req, err := http.NewRequest(http.MethodGet, g.cfg.baseURL+soakRoutePaths[r], nil)
		if err != nil {
			panic(err)
		}
		if r == soakDetailed {
			req.Header.Set("Authorization", "Bearer "+g.cfg.token)
		}
		reqs[r] = req
	}
	var interval time.Duration
	if g.cfg.rps > 0 {
		interval = time.Duration(float64(time.Second) * float64(g.cfg.workers) / g.cfg.rps)
	}
	// The rate limiter: the workers staggered over one interval, then one
	// request per tick (a Ticker drops the ticks a slow request misses: no
	// catch-up burst).
	var tick <-chan time.Time
	if interval > 0 {
		stagger := time.NewTimer(interval * time.Duration(id) / time.Duration(g.cfg.workers))
		select {
		case <-stagger.C:
		case <-ctx.Done():
			stagger.Stop()
		}
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		tick = ticker.C
	}
	var buf bytes.Buffer
	for i := id; ctx.Err() == nil; i++ {
		if tick != nil && i > id {
			select {
			case <-tick:
			case <-ctx.Done():
				continue // the loop ends
			}
		}
		r := soakPickRoute(i)
		s := &st[g.cfg.phase.Load()]
		start := time.Now()
		resp, err := g.client.Do(reqs[r])
		code := 0
		buf.Reset()
		if err == nil {
			code = resp.StatusCode
			_, err = buf.ReadFrom(resp.Body)
			resp.Body.Close()
		}
		d := time.Since(start)

		s.requests++
		s.byRoute[r]++
		s.lat = append(s.lat, d)
		if d > s.max {
			s.max, s.maxRoute = d, r
		}
		if err != nil {
			s.transportErrs++
			s.example("%s: transport error after %v: %v", r, d.Round(time.Millisecond), err)
			continue
		}
		s.codes[r.String()+" "+strconv.Itoa(code)]++
		problem, msg := g.cfg.validate(r, code, buf.Bytes())
		if msg != "" {
			s.messages[r.String()+" "+msg]++
		}
		if problem != "" {
			s.invalid++
			s.example("%s: %d %s: %s", r, code, strings.TrimSpace(buf.String()), problem)
		}
	}
}

// stop ends the load, waits for the requests in flight and returns the
// merged statistics per phase, latencies sorted.
func (g *soakLoadGen) stop() []soakPhaseStats {
	g.cancel()
	g.wg.Wait()
	out := soakNewPhaseStats(g.cfg.phases)
	for _, w := range g.stats {
		for p := range w {
			out[p].merge(&w[p])
		}
	}
	for p := range out {
		slices.Sort(out[p].lat)
	}
	return out
}

// soakScrape fetches url (a /metrics endpoint) and returns its samples
// keyed by name and labels as written, e.g.
// `messenger_health_check_runs_total{check="database"}`.
func soakScrape(client *http.Client, url string) (map[string]float64, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return soakParseMetrics(string(b)), nil
}

// soakParseMetrics reads the Prometheus text format: `name{labels} value`
// lines, comments skipped (promhttp writes no timestamps).
func soakParseMetrics(text string) map[string]float64 {
	m := map[string]float64{}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		m[line[:i]] = v
	}
	return m
}

// soakTCPConns counts the IPv4 TCP sockets of this network namespace
// whose remote port is port and that are connecting or established
// (/proc/net/tcp states SYN_SENT and ESTABLISHED): the client side of the
// connections to a server listening on port, whatever process holds them
// and whether or not the server answers.
func soakTCPConns(port int) (int, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	n := 0
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		remote, state := fields[2], fields[3]
		if strings.HasSuffix(remote, want) && (state == "01" || state == "02") {
			n++
		}
	}
	return n, sc.Err()
}
