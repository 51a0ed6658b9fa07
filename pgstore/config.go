package pgstore

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Defaults of Config.
const (
	// DefaultSchema is the schema of the store's tables.
	DefaultSchema = "healthcheck"
	// DefaultInterval is how often a replica writes (heartbeat and
	// events); it matches the runner's default check interval.
	DefaultInterval = 15 * time.Second
	// defaultFineRetention is how long minute buckets are kept.
	defaultFineRetention = 48 * time.Hour
	// defaultHourlyRetention is how long hourly buckets are kept.
	defaultHourlyRetention = 30 * 24 * time.Hour
	// defaultTransitionRetention is how long transitions are kept.
	defaultTransitionRetention = 30 * 24 * time.Hour
	// defaultMaintenanceInterval is how often a replica tries to roll up
	// and delete what aged (one replica at a time, under an advisory
	// lock).
	defaultMaintenanceInterval = 5 * time.Minute
	// defaultBufferSize is how many events (minute buckets and
	// transitions) wait for the database at most.
	defaultBufferSize = 10000
)

// minFineRetention: the 24 h availability and the fleet's recent hours
// are read from minute buckets.
const minFineRetention = 25 * time.Hour

// Config configures a Store. The zero value of every field means its
// documented default.
type Config struct {
	// Service names the service whose replicas share the history.
	// Default: the executable's base name.
	Service string
	// Instance names this replica, distinct per process. Default: the host
	// name and the process ID, e.g. "web-1-4711" (on Kubernetes the host
	// name is the pod's name).
	Instance string
	// Version is this replica's version, shown in the fleet. Default "".
	Version string
	// Schema is the PostgreSQL schema of the tables (an unquoted
	// identifier: letters, digits, '_', at most 63 bytes). Default
	// DefaultSchema.
	Schema string
	// CheckOnly, when true, makes Start check that the tables exist and
	// may be written instead of creating them (migrations run by the team
	// with docs/store.sql). Default false: Start creates what is missing.
	CheckOnly bool
	// Interval is how often the replica writes its heartbeat and the
	// events since the last write; an instance not seen for three
	// intervals is "gone". Default DefaultInterval; at least 1 s.
	Interval time.Duration
	// FineRetention is how long minute buckets are kept. Default
	// 48 h; at least 25 h.
	FineRetention time.Duration
	// HourlyRetention is how long hourly buckets are kept. Default
	// 30 days; at least FineRetention.
	HourlyRetention time.Duration
	// TransitionRetention is how long transitions are kept. Default
	// 30 days.
	TransitionRetention time.Duration
	// MaintenanceInterval is how often the replica tries to take the
	// maintenance lock and roll up and delete what aged. Default
	// 5 min.
	MaintenanceInterval time.Duration
	// BufferSize bounds the events waiting for the database; past it the
	// oldest are dropped and counted (Store.Dropped). Default
	// 10 000.
	BufferSize int
	// Clock is the source of time of the records and the writer's timer.
	// Default checks.SystemClock(); tests pass a fake.
	Clock checks.Clock
}

var reIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ValidSchema reports whether name is accepted as Config.Schema: an
// unquoted lower-case PostgreSQL identifier. healthfx validates
// HEALTH_STORE_SCHEMA with it.
func ValidSchema(name string) bool { return reIdent.MatchString(name) }

func cfgErr(setting, value, reason string) error {
	return &checks.ConfigError{Package: "pgstore", Setting: setting, Value: value, Reason: reason}
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Service == "" {
		cfg.Service = filepath.Base(os.Args[0])
	}
	if cfg.Instance == "" {
		cfg.Instance = defaultInstance()
	}
	if cfg.Schema == "" {
		cfg.Schema = DefaultSchema
	}
	if !ValidSchema(cfg.Schema) {
		return cfg, cfgErr("Config.Schema", cfg.Schema, "want an unquoted lower-case identifier (letters, digits, '_', at most 63 bytes)")
	}
	durations := []struct {
		name string
		d    *time.Duration
		def  time.Duration
		min  time.Duration
	}{
		{"Config.Interval", &cfg.Interval, DefaultInterval, time.Second},
		{"Config.FineRetention", &cfg.FineRetention, defaultFineRetention, minFineRetention},
		{"Config.HourlyRetention", &cfg.HourlyRetention, defaultHourlyRetention, 0},
		{"Config.TransitionRetention", &cfg.TransitionRetention, defaultTransitionRetention, time.Hour},
		{"Config.MaintenanceInterval", &cfg.MaintenanceInterval, defaultMaintenanceInterval, time.Second},
	}
	for _, d := range durations {
		if *d.d == 0 {
			*d.d = d.def
		}
		if *d.d < d.min || *d.d < 0 {
			return cfg, cfgErr(d.name, d.d.String(), fmt.Sprintf("want at least %v", max(d.min, 0)))
		}
	}
	if cfg.HourlyRetention < cfg.FineRetention {
		return cfg, cfgErr("Config.HourlyRetention", cfg.HourlyRetention.String(), "want at least Config.FineRetention ("+cfg.FineRetention.String()+")")
	}
	if cfg.BufferSize == 0 {
		cfg.BufferSize = defaultBufferSize
	}
	if cfg.BufferSize < 0 {
		return cfg, cfgErr("Config.BufferSize", strconv.Itoa(cfg.BufferSize), "want a positive size")
	}
	if cfg.Clock == nil {
		cfg.Clock = checks.SystemClock()
	}
	return cfg, nil
}

// defaultInstance is the host name and the process ID, "host-4711", as
// alerting names a replica by default.
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return host + "-" + strconv.Itoa(os.Getpid())
}
