// Package browsertest holds the tests that drive a real, headless Chromium
// (through github.com/chromedp/chromedp) against the module's HTML: the
// status page of httphealth served by real handlers over loopback, with a
// real PostgreSQL check. It has no code of its own; the tests skip when
// Chromium is missing unless HEALTHCHECK_REQUIRE_BROWSER=1 (see
// package internal/testutil/browser).
//
// HEALTHCHECK_WRITE_SCREENSHOT=<path> makes TestStatusPageTrends write its
// desktop screenshot there too: that is how docs/status-page.png is made;
// HEALTHCHECK_WRITE_SCREENSHOT_1000=<path> makes TestStatusPage1000Checks
// write the top of its page there (docs/status-page-1000.png).
package browsertest
