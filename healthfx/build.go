package healthfx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/lifecycle"
	"github.com/echofx/healthcheck/promhealth"
)

// newHealth builds the runner, the lifecycle and the metrics, registers
// the routes and appends the start and stop hooks: Module's constructor.
// Apps without fx can follow its body, every piece it uses being exported
// by checks, lifecycle, httphealth, promhealth and alerting.
func newHealth(p params) (provided, error) {
	cfg := *p.Config
	if err := cfg.check(p.Authenticator != nil); err != nil {
		return provided{}, err
	}
	logger := p.Logger
	if logger == nil {
		logger = slog.Default()
	}

	var metrics *promhealth.Metrics
	runnerOpts := []checks.Option{
		checks.WithProbeBudget(cfg.ProbeBudget),
		checks.WithHistorySize(cfg.HistorySize),
		checks.WithTrendWindows(cfg.TrendsShortWindow, cfg.TrendsLongWindow),
	}
	if p.Registerer != nil {
		var err error
		if metrics, err = promhealth.New(p.Registerer, cfg.MetricsNamespace); err != nil {
			return provided{}, err
		}
		runnerOpts = append(runnerOpts, checks.WithHooks(metrics.CheckHooks()))
		if p.Pool != nil {
			if err := promhealth.RegisterPool(p.Registerer, cfg.MetricsNamespace, poolStats(p.Pool)); err != nil {
				return provided{}, err
			}
		}
	}
	runner := checks.NewRunner(runnerOpts...)
	runner.AddHooks(checks.LogTransitions(logger, runner))

	list, err := buildChecks(cfg, p.Pool, p.SQLDB, p.Checks)
	if err != nil {
		return provided{}, err
	}
	if err := runner.Register(list...); err != nil {
		return provided{}, fmt.Errorf("healthfx: %w", err)
	}
	if err := cfg.validateGroups(func(n string) bool { _, ok := runner.Lookup(n); return ok }); err != nil {
		return provided{}, err
	}
	if metrics != nil {
		names := make([]string, len(list))
		for i, c := range list {
			names[i] = c.Name
		}
		metrics.Init(names)
	}

	lc, err := newLifecycle(cfg, runner, logger, metrics, p.Shutdowner)
	if err != nil {
		return provided{}, err
	}
	for _, c := range sortedCleanups(p.Cleanups) {
		lc.AddCleanup(c.Name, c.Func)
	}
	for _, h := range sortedReadyHooks(p.ReadyHooks) {
		lc.OnReady(h.Name, h.Func)
	}

	routeOpts, keys, err := routeOptions(cfg, p, lc, logger)
	if err != nil {
		return provided{}, err
	}
	store, err := newStore(cfg, runner, p.Pool, string(p.Version))
	if err != nil {
		return provided{}, err
	}
	if store != nil {
		routeOpts = append(routeOpts, httphealth.WithFleet(store))
	}
	router, err := pickRouter(p.Router, p.Echo, p.EchoV5)
	if err != nil {
		return provided{}, err
	}
	if err := router.register(runner, routeOpts...); err != nil {
		return provided{}, fmt.Errorf("healthfx: %s: %w", router.kind, err)
	}

	if d, ok := p.Lifecycle.(*drainLifecycle); ok {
		d.gate.set(lc.Drain)
	}
	alerts, err := newAlerting(cfg, runner, logger, p)
	if err != nil {
		return provided{}, err
	}
	if alerts != nil {
		appendAlertHooks(p.Lifecycle, alerts, logger, true)
	}
	wireMaintenance(lc, metrics, alerts)
	if store != nil {
		appendStoreHooks(p.Lifecycle, store, logger)
	}
	p.Lifecycle.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if keys != nil {
				keys.start() // in the background: never waits on the provider
			}
			err := lc.Start(ctx)
			if err != nil {
				// fx does not run the stop hook of a failed start hook.
				runner.Close()
				if keys != nil {
					keys.stop(ctx)
				}
			}
			return err
		},
		OnStop: func(ctx context.Context) error {
			err := lc.Stop(ctx)
			runner.Close()
			if keys != nil {
				keys.stop(ctx)
			}
			return err
		},
	})
	if alerts != nil {
		appendAlertHooks(p.Lifecycle, alerts, logger, false)
	}
	return provided{Runner: runner, Lifecycle: lc, Level: cfg.Level, Groups: cfg.Groups}, nil
}

// newLifecycle builds the lifecycle from the startup and drain settings;
// a gate that gives up in the background stops the app with exit code 1.
func newLifecycle(cfg Config, runner *checks.Runner, logger *slog.Logger, metrics *promhealth.Metrics, sd fx.Shutdowner) (*lifecycle.Lifecycle, error) {
	opts := []lifecycle.Option{
		lifecycle.WithLogger(logger),
		lifecycle.WithStartup(lifecycle.StartupConfig{
			MaxAttempts:    cfg.StartupMaxAttempts,
			MaxWait:        cfg.StartupMaxWait,
			InitialBackoff: cfg.StartupInitialBackoff,
			MaxBackoff:     cfg.StartupMaxBackoff,
		}),
		lifecycle.WithDrainDelay(cfg.DrainDelay),
		lifecycle.WithOnGateFailure(func(err error) {
			msg := "startup checks failed: stopping the service"
			if errors.Is(err, lifecycle.ErrReadyHookFailed) {
				msg = "ready hook failed: stopping the service"
			}
			logger.Error(msg, "error", err)
			if sd != nil {
				_ = sd.Shutdown(fx.ExitCode(1))
			}
		}),
	}
	if metrics != nil {
		opts = append(opts, lifecycle.WithHooks(lifecycle.Hooks{
			OnStartupAttempt: func(check string, _ int, ok bool) { metrics.ObserveStartupAttempt(check, ok) },
			OnRemediation:    func(check string, _ error) { metrics.ObserveRemediation(check) },
		}))
	}
	lc, err := lifecycle.New(runner, opts...)
	if err != nil {
		return nil, configError("HEALTH_STARTUP_*", "", err.Error())
	}
	return lc, nil
}

// routeOptions turns the route settings into httphealth options.
func routeOptions(cfg Config, p params, lc *lifecycle.Lifecycle, logger *slog.Logger) ([]httphealth.Option, *jwksKeys, error) {
	opts := []httphealth.Option{
		httphealth.WithPrefix(cfg.PathPrefix),
		httphealth.WithReadiness(lc),
		httphealth.WithLiveness(lc),
		httphealth.WithLevel(cfg.Level),
		httphealth.WithFailureStatus(cfg.FailureStatus),
		httphealth.WithPublicErrors(cfg.PublicErrors),
		httphealth.WithDegradedStatus(cfg.DegradedStatus),
		httphealth.WithVersion(string(p.Version)),
	}
	if len(cfg.Groups) > 0 {
		opts = append(opts, httphealth.WithGroups(cfg.Groups...))
	}
	if !cfg.Startup {
		opts = append(opts, httphealth.WithoutStartup())
	}
	if !cfg.Live {
		opts = append(opts, httphealth.WithoutLive())
	}
	if !cfg.Ready {
		opts = append(opts, httphealth.WithoutReady())
	}
	if cfg.MetricsPath != "" {
		g, ok := p.Registerer.(prometheus.Gatherer)
		if !ok {
			return nil, nil, configError("HEALTH_METRICS_PATH", cfg.MetricsPath, "needs the app to provide a prometheus.Registerer that is also a Gatherer, such as *prometheus.Registry")
		}
		opts = append(opts, httphealth.WithMetrics(cfg.MetricsPath, promhttp.HandlerFor(g, promhttp.HandlerOpts{Registry: p.Registerer})))
	}
	var keys *jwksKeys
	if cfg.Detailed {
		var auth httphealth.Authenticator = p.Authenticator
		if auth == nil {
			j, k, err := newJWT(cfg, logger, p.Registerer)
			if err != nil {
				return nil, nil, err
			}
			auth, keys = j, k
		}
		opts = append(opts, httphealth.WithDetailed(auth))
		if !cfg.StatusPage {
			opts = append(opts, httphealth.WithoutStatusPage())
		}
		opts = append(opts, httphealth.WithStatusPagePublicErrors(cfg.StatusPagePublicDetails))
	}
	return opts, keys, nil
}

// sortedCleanups orders the contributed cleanups by Order, then Name.
func sortedCleanups(cs []Cleanup) []Cleanup {
	return sortedSteps(cs, func(c Cleanup) (int, string, bool) { return c.Order, c.Name, c.Func != nil })
}

// sortedSteps returns the contributed steps that have a func, sorted by
// order, then name (value groups are unordered).
func sortedSteps[T any](steps []T, key func(T) (order int, name string, ok bool)) []T {
	steps = slices.DeleteFunc(slices.Clone(steps), func(s T) bool { _, _, ok := key(s); return !ok })
	slices.SortFunc(steps, func(a, b T) int {
		ao, an, _ := key(a)
		bo, bn, _ := key(b)
		if ao != bo {
			return ao - bo
		}
		return strings.Compare(an, bn)
	})
	return steps
}
