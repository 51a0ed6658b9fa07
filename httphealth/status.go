package httphealth

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
)

// WithoutStatusPage leaves out the {prefix}/status page. Default: the page
// is served whenever the detailed routes are (WithDetailed); without
// WithDetailed it never is.
func WithoutStatusPage() Option {
	return optionFunc(func(c *config) { c.noStatusPage = true })
}

// WithStatusPagePublicErrors sets whether the status page, viewed without
// a token, shows the failure message the public route answers (default
// false: the overall status word only). It shows no more than the public
// route does, so with WithPublicErrors(false) there is no message to show
// whatever this says.
func WithStatusPagePublicErrors(show bool) Option {
	return optionFunc(func(c *config) { c.statusPublicErrors = show })
}

// statusPage answers GET {prefix}/status: a self-contained HTML page for
// people (overall status; with a token pasted into it, each check's
// status, latency, success rates over 1 h and 24 h, a latency sparkline,
// the transitions, the downstream services and the version), that
// refreshes itself every 5 s (?refresh=N seconds, 1 to 3600) without a
// reload. The document is constant: its script fetches the data from the
// same origin, the public route ({prefix}/) without a token, and
// {prefix}/detailed?series=1&history=1&compact=24 (series implies trends;
// compact: the package doc) with "Authorization: Bearer <token>"
// once a token is pasted. With the details it shows a summary first ("3
// of 1,000 checks failing"), the failing and degraded checks first, and,
// past 24 checks, the healthy ones as compact tiles, one shown in full on
// a click (fetched alone with check=); the token is kept in the tab's
// sessionStorage only, never put in a URL, and dropped when the detailed
// route answers 401 or 403. It revalidates the detailed answers with
// If-None-Match (see Detailed): on a 304 it changes nothing but the time
// of the last refresh, and on a new answer it rebuilds only the cards
// whose data changed. While the tab is hidden it does not refresh; it
// refreshes at once when shown again. Once a token is accepted it also
// asks {prefix}/fleet (with the same header, revalidated the same way, at
// each refresh) and shows the fleet view: the instances with their status
// and last heartbeat, and per check its availability over 24 h, 7 d and
// 30 d, a bar of its last 30 days and its last transitions; a 404 (no
// shared store) leaves the page as without it and is not asked again.
//
// The response carries the Content-Security-Policy StatusPageCSP (no
// external resource; the inline script and style allowed by hash; fetches
// to the same origin only), Cache-Control: no-store,
// X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and
// X-Frame-Options: DENY. HEAD answers the headers only. The page costs a
// copy of its pre-built bytes, whatever the number of checks. When the
// page is off (no WithDetailed, or WithoutStatusPage) there is no route.
func (h *Handlers) statusPage() http.Handler {
	page := statusPages[0]
	if h.cfg.statusPublicErrors && h.cfg.publicErrors {
		page = statusPages[1]
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd["Content-Type"] = hdrHTML
		hd["Cache-Control"] = hdrNoStore
		hd["X-Content-Type-Options"] = hdrNoSniff
		hd["Content-Security-Policy"] = hdrStatusCSP
		hd["Referrer-Policy"] = hdrNoReferrer
		hd["X-Frame-Options"] = hdrDeny
		hd["Content-Length"] = page.len
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(page.b)
		}
	})
}

// statusPageOn reports whether {prefix}/status is served.
func (h *Handlers) statusPageOn() bool { return h.cfg.detailed && !h.cfg.noStatusPage }

//go:embed statuspage/index.html statuspage/status.css statuspage/common.js statuspage/status.js statuspage/fleet.js
var statusAssets embed.FS

// statusScripts are the page's scripts, in order, inlined together into
// its one <script> element (one hash in the CSP): common.js holds what both
// others use (the token's key, el, getToken); status.js draws the page
// and fires "healthcheck:refreshed" after each refresh; fleet.js draws the
// fleet view ({prefix}/fleet) from it. Each runs in its own function scope.
var statusScripts = []string{"common.js", "status.js", "fleet.js"}

// StatusPageCSP is the Content-Security-Policy of the status page: nothing
// may load but the page's own inline script and style (allowed by their
// SHA-256, computed from the embedded assets when the package is
// initialised), fetches go to the same origin only, images only from the
// page itself or data: URLs, and the page may not be framed, submit forms
// or change its base URL. Trusted Types are required, so the script cannot
// assign HTML strings to the DOM. It is exported for a reverse proxy or
// a test that must send or check the same header as the page's route.
var StatusPageCSP string

var (
	statusPages   [2]*body // [0]: no public errors; [1]: the public route's message shown
	hdrStatusCSP  []string
	hdrHTML       = []string{"text/html; charset=utf-8"}
	hdrNoReferrer = []string{"no-referrer"}
	hdrDeny       = []string{"DENY"}
)

func init() {
	pages, csp, err := buildStatusPage(statusAssets)
	if err != nil {
		panic(err) // the embedded assets are part of the build: a test catches this
	}
	statusPages = pages
	StatusPageCSP = csp
	hdrStatusCSP = []string{csp}
}

// buildStatusPage inlines the page's style and script into its HTML and
// returns the two variants of the document and their CSP.
func buildStatusPage(fs embed.FS) ([2]*body, string, error) {
	var pages [2]*body
	read := func(name string) ([]byte, error) {
		b, err := fs.ReadFile("statuspage/" + name)
		if err != nil {
			return nil, fmt.Errorf("httphealth: status page: %w", err)
		}
		return b, nil
	}
	html, err := read("index.html")
	if err != nil {
		return pages, "", err
	}
	css, err := read("status.css")
	if err != nil {
		return pages, "", err
	}
	var js []byte
	for i, name := range statusScripts {
		b, err := read(name)
		if err != nil {
			return pages, "", err
		}
		if i > 0 {
			js = append(js, '\n')
		}
		js = append(js, b...)
	}
	if bytes.Contains(bytes.ToLower(css), []byte("</style")) {
		return pages, "", fmt.Errorf("httphealth: status page: status.css contains </style")
	}
	if lower := bytes.ToLower(js); bytes.Contains(lower, []byte("</script")) || bytes.Contains(lower, []byte("<!--")) {
		return pages, "", fmt.Errorf("httphealth: status page: a script contains </script or <!--")
	}
	for _, ph := range []string{"{{STYLE}}", "{{SCRIPT}}", "{{PUBLIC_ERRORS}}"} {
		if bytes.Count(html, []byte(ph)) != 1 {
			return pages, "", fmt.Errorf("httphealth: status page: index.html must hold %s once", ph)
		}
	}
	html = bytes.Replace(html, []byte("{{STYLE}}"), css, 1)
	html = bytes.Replace(html, []byte("{{SCRIPT}}"), js, 1)
	for i, flag := range []string{"0", "1"} {
		pages[i] = newBody(bytes.Replace(html, []byte("{{PUBLIC_ERRORS}}"), []byte(flag), 1))
	}
	csp := "default-src 'none'; script-src '" + sha256Source(js) + "'; style-src '" + sha256Source(css) +
		"'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" +
		"; require-trusted-types-for 'script'; trusted-types 'none'"
	return pages, csp, nil
}

// sha256Source is a CSP hash source for b: "sha256-<base64>".
func sha256Source(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}
