package checks_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestSafeMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), "timeout"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, "connection refused"},
		{"dns", &net.DNSError{Err: "no such host", Name: "secret-host"}, "host not found"},
		{"url userinfo", errors.New(`Get "http://user:pw@x/y": bad`), `Get "http://***@x/y": bad`},
		{"kv password", errors.New("host=db user=app password='s e' sslmode=off"), "host=*** user=*** password=*** sslmode=off"},
		{"userinfo with @ in password", errors.New("dial postgres://app:pa@ss@db/x"), "dial postgres://***@db/x"},
		{"address", errors.New("read 10.1.2.3:5432 failed"), "read *** failed"},
		{"url error", &url.Error{Op: "Get", URL: "http://u:p@10.0.0.1/?key=secret", Err: errors.New("eof")}, "request failed"},
		{"op error", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("weird")}, "read failed"},
		{"bearer", errors.New("sent Authorization: Bearer abc.def.ghi"), "sent Authorization: ***"},
		{"safe", fmt.Errorf("wrapped: %w", checks.NewSafeError("db down", errors.New("pw=1"))), "db down"},
		{"long", errors.New(strings.Repeat("é", 300)), strings.Repeat("é", 100) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks.SafeMessage(tt.err); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Control characters, and the format characters that could make a message
// read other than it is (bidirectional overrides and isolates, zero-width
// characters), never reach a result's message nor a safe message.
func TestMessagesLoseControlAndFormatCharacters(t *testing.T) {
	cases := map[string]string{
		"disk \u202efull\u202c":                  "disk full",
		"quota\u200b exceeded\ufeff":             "quota exceeded",
		"a\u2066b\u2067c\u2068d\u2069e":          "abcde",
		"\u200e\u200f\u202a\u202b\u202d ltr/rtl": "ltr/rtl",
		"line\nbreak\tand\x1b[31mred\x7f\u0085":  "line break and [31mred",
		"sep\u2028ara\u2029tors":                 "sep ara tors",
		"ünïcödé ✓ 日本":                           "ünïcödé ✓ 日本",
	}
	for in, want := range cases {
		if got := checks.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if got := checks.SafeMessage(checks.NewSafeError(in, nil)); got != want {
			t.Errorf("SafeMessage(%q) = %q, want %q", in, got, want)
		}
		r := checks.NewRunner()
		if err := r.Register(checks.Check{Name: "c", Func: func(context.Context) checks.Report {
			return checks.Report{Status: checks.StatusUnhealthy, Message: in}
		}}); err != nil {
			t.Fatal(err)
		}
		res, err := r.Refresh(context.Background(), "c")
		r.Close()
		if err != nil || res.Message != want {
			t.Errorf("result message for %q = %q (%v), want %q", in, res.Message, err, want)
		}
	}
}
