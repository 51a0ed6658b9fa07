package browser

import (
	"errors"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestFindChromiumEnv(t *testing.T) {
	t.Setenv(ChromiumEnv, "/nonexistent/chromium")
	_, err := FindChromium()
	if err == nil || errors.Is(err, ErrNoChromium) {
		t.Fatalf("a bad %s gave %v; want an error that fails the test, not ErrNoChromium", ChromiumEnv, err)
	}
}

func TestFindChromiumMissing(t *testing.T) {
	t.Setenv(ChromiumEnv, "")
	t.Setenv("PATH", t.TempDir())
	if _, err := FindChromium(); !errors.Is(err, ErrNoChromium) {
		t.Fatalf("with no browser on PATH: %v, want ErrNoChromium", err)
	}
}

func TestStartBrowser(t *testing.T) {
	ctx := StartBrowser(t)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[int](`6 * 7`))
	if err != nil || got != 42 {
		t.Fatalf("evaluate: %d, %v", got, err)
	}
	// Host names other than loopback do not resolve.
	if err := chromedp.Do(ctx, chromedp.Navigate("http://example.com/")); err == nil {
		t.Fatal("navigating to example.com succeeded; want a resolution error")
	}
}
