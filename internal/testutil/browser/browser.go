// Package browser starts a headless Chromium for tests (through
// github.com/chromedp/chromedp). It is a package of its own so that
// importing internal/testutil (the nested modules do) never compiles a
// browser driver.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// RequireBrowserEnv names the environment variable that, set to "1", turns
// a missing Chromium from a skipped browser test into a failed one (CI sets
// it).
const RequireBrowserEnv = "HEALTHCHECK_REQUIRE_BROWSER"

// ChromiumEnv names the environment variable that, when set, is the
// browser executable FindChromium returns instead of searching.
const ChromiumEnv = "HEALTHCHECK_CHROMIUM"

// ErrNoChromium is returned by FindChromium when no Chromium or Chrome is
// installed.
var ErrNoChromium = errors.New("chromium not found: apt-get install chromium (or set " + ChromiumEnv + ")")

// chromiumNames are the executables FindChromium looks for on $PATH, in
// order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "headless-shell"}

// RequireBrowser reports whether $HEALTHCHECK_REQUIRE_BROWSER is "1".
func RequireBrowser() bool { return os.Getenv(RequireBrowserEnv) == "1" }

// FindChromium returns the path of a Chromium (or Chrome) executable:
// $HEALTHCHECK_CHROMIUM when set (an error that is not ErrNoChromium when it
// is not executable: a misconfiguration fails, it does not skip), else the
// first of chromium, chromium-browser, google-chrome-stable, google-chrome
// and headless-shell on $PATH, else ErrNoChromium.
func FindChromium() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("testutil: %s=%s: %w", ChromiumEnv, p, err)
		}
		return path, nil
	}
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", ErrNoChromium
}

// BrowserOptions are the command line options of StartBrowser's Chromium:
// chromedp's defaults (headless, no first run, no background networking,
// no sync, no extensions, ...) plus no component updates, no QUIC, no GPU,
// no sandbox when running as root (chromedp adds that itself), a fresh
// profile in userDataDir, and host name resolution limited to loopback
// ("MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"), so that a page under test
// cannot reach the network even by mistake.
func BrowserOptions(path, userDataDir string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(userDataDir),
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1280, 900),
	)
}

// StartBrowser launches headless Chromium for the test, with BrowserOptions,
// a fresh profile and its TMPDIR under t.TempDir, and returns the chromedp context of
// its first tab. It skips the test when no Chromium is installed (see
// FindChromium), or fails it if RequireBrowser is true. The browser is
// closed, and chromedp's goroutines end, when the test ends.
func StartBrowser(t testing.TB) context.Context {
	t.Helper()
	path, err := FindChromium()
	if errors.Is(err, ErrNoChromium) {
		if RequireBrowser() {
			t.Fatal(err)
		}
		t.Skip(err.Error() + " (set " + RequireBrowserEnv + "=1 to fail instead)")
	}
	if err != nil {
		t.Fatal(err)
	}
	// TMPDIR too: Chromium makes its org.chromium.Chromium.* directories
	// there and leaves them behind.
	opts := append(BrowserOptions(path, t.TempDir()), chromedp.Env("TMPDIR="+t.TempDir()))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()      // closes the browser
		cancelAlloc() // waits for the process to exit
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("testutil: start %s: %v", path, err)
	}
	return ctx
}
