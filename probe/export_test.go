package probe

// WithGetenv sets the environment lookup of the tests. Default os.Getenv.
func WithGetenv(getenv func(string) string) Option {
	return optionFunc(func(c *config) { c.getenv = getenv })
}

// DefaultURL is the URL probed without an argument (see Handle).
func DefaultURL(opts ...Option) (string, error) { return resolve("", newConfig(opts)) }
