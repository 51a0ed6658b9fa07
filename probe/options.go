package probe

import (
	"io"
	"os"
	"strings"
	"time"
)

// Option configures Main and Handle.
type Option interface{ apply(*config) }

type config struct {
	command string
	timeout time.Duration
	addrEnv string
	addr    string
	path    string
	out     io.Writer
	getenv  func(string) string // os.Getenv; the tests' own lookup
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

func newConfig(opts []Option) config {
	c := config{
		command: defaultCommand,
		timeout: defaultTimeout,
		addrEnv: defaultAddrEnv,
		addr:    defaultAddr,
		path:    defaultPath,
		out:     os.Stdout,
		getenv:  os.Getenv,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// WithCommand sets the first argument that selects the probe. Default
// "probe". Empty is ignored.
func WithCommand(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.command = name
		}
	})
}

// WithTimeout bounds the whole probe. Default 3 s, below the usual 5 s probe
// timeout of Docker and Kubernetes; zero or negative is ignored.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithAddrEnv names the environment variable holding the service's listen
// address. Default "HTTP_ADDR". Empty is ignored.
func WithAddrEnv(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.addrEnv = name
		}
	})
}

// WithAddr sets the listen address used when the variable is unset, in
// net.Listen form (":8788", "127.0.0.1:9000"). Default ":8788". Empty is
// ignored.
func WithAddr(addr string) Option {
	return optionFunc(func(c *config) {
		if addr != "" {
			c.addr = addr
		}
	})
}

// WithPath sets the route probed, for services that mount the health
// routes under another prefix ("/health/" or "/api/healthcheck/ready").
// Default "/healthcheck/". A missing leading "/" is added;
// empty is ignored.
func WithPath(path string) Option {
	return optionFunc(func(c *config) {
		if path != "" {
			if !strings.HasPrefix(path, "/") {
				path = "/" + path
			}
			c.path = path
		}
	})
}

// WithOutput sets where the one line goes, for a main that writes to its
// own stdout (the example's) or a test. Default os.Stdout (Docker keeps
// it in the container's health log). Nil is ignored.
func WithOutput(w io.Writer) Option {
	return optionFunc(func(c *config) {
		if w != nil {
			c.out = w
		}
	})
}
