package testutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNoRedis is returned (possibly wrapped) by LaunchRedis when redis-server
// is not installed.
var ErrNoRedis = errors.New("redis-server not found: install the Debian package redis-server (apt-get install redis-server)")

const (
	redisReadyTimeout = 10 * time.Second
	redisStopTimeout  = 10 * time.Second
)

// RedisOptions configures LaunchRedis.
type RedisOptions struct {
	// Dir is the directory under which the server's working directory is
	// created (required). Close removes only what LaunchRedis created.
	Dir string
	// Password is required by the server (requirepass); default 24 random
	// hex characters.
	Password string
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
	// TLS also serves TLS on a second port (TLSAddr), with a self-signed
	// certificate for 127.0.0.1 that ClientTLS trusts. Default: plain only.
	TLS bool
}

// Redis is a redis-server started by LaunchRedis on 127.0.0.1, requiring a
// password and persisting nothing. Its methods are safe for concurrent use.
type Redis struct {
	dir      string // created inside RedisOptions.Dir; removed by Close
	password string
	port     int
	tls      *redisTLS // nil without RedisOptions.TLS

	mu     sync.Mutex
	proc   *process // nil once stopped
	closed bool
}

// FindRedisServer returns the path of redis-server from $PATH or
// /usr/bin/redis-server, or ErrNoRedis.
func FindRedisServer() (string, error) {
	if path, err := exec.LookPath("redis-server"); err == nil {
		return path, nil
	}
	const debian = "/usr/bin/redis-server"
	if fi, err := os.Stat(debian); err == nil && fi.Mode().Perm()&0o111 != 0 {
		return debian, nil
	}
	return "", ErrNoRedis
}

// LaunchRedis starts redis-server on a free 127.0.0.1 port with
// requirepass, no RDB snapshots and no AOF, and waits up to 10s until an
// authenticated PING is answered. The caller must Close it. The server's
// output goes to redis.log in its directory; on failure the error includes
// its tail and nothing is left running.
func LaunchRedis(opts RedisOptions) (*Redis, error) {
	if opts.Dir == "" {
		return nil, errors.New("testutil: RedisOptions.Dir is required")
	}
	bin, err := FindRedisServer()
	if err != nil {
		return nil, err
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	r := &Redis{password: opts.Password}
	if r.password == "" {
		r.password = randomHex(12)
	}
	if r.dir, err = os.MkdirTemp(opts.Dir, "redis-"); err != nil {
		return nil, fmt.Errorf("testutil: %w", err)
	}
	if r.dir, err = filepath.Abs(r.dir); err != nil {
		_ = r.Close()
		return nil, err
	}
	if opts.TLS {
		if r.tls, err = newRedisTLS(r.dir); err != nil {
			_ = r.Close()
			return nil, err
		}
	}
	for range 3 {
		if r.port, err = FreePort(); err != nil {
			break
		}
		if r.tls != nil {
			if r.tls.port, err = FreePort(); err != nil {
				break
			}
		}
		if err = r.start(bin); err == nil || !strings.Contains(err.Error(), "already in use") {
			break
		}
		logf("testutil: port %d taken, retrying", r.port)
	}
	if err != nil {
		_ = r.Close()
		return nil, err
	}
	logf("testutil: Redis listening on %s", r.Addr())
	return r, nil
}

func (r *Redis) start(bin string) error {
	args := []string{
		"--port", strconv.Itoa(r.port),
		"--bind", "127.0.0.1",
		"--requirepass", r.password,
		"--save", "",
		"--appendonly", "no",
		"--dir", r.dir,
	}
	if r.tls != nil {
		args = append(args, r.tls.args()...)
	}
	proc, err := startProcess(procSpec{
		path:     bin,
		args:     args,
		dir:      r.dir,
		logPath:  filepath.Join(r.dir, "redis.log"),
		deathSig: syscall.SIGTERM,
	})
	if err != nil {
		return err
	}
	if err := waitRedis(proc, r.Addr(), r.password); err != nil {
		proc.kill()
		return fmt.Errorf("%w\nserver log:\n%s", err, proc.logTail())
	}
	r.proc = proc
	return nil
}

func waitRedis(proc *process, addr, password string) error {
	ctx, cancel := context.WithTimeout(context.Background(), redisReadyTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, time.Second)
		err := redisPing(attempt, addr, password)
		cancelAttempt()
		if err == nil {
			return nil
		}
		select {
		case <-proc.done:
			return fmt.Errorf("testutil: redis-server exited during startup: %v", proc.err)
		case <-ctx.Done():
			return fmt.Errorf("testutil: redis-server not ready after %v: %w", redisReadyTimeout, err)
		case <-tick.C:
		}
	}
}

// Addr returns the server's "127.0.0.1:port".
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// Password returns the password the server requires.
func (r *Redis) Password() string { return r.password }

// Stop terminates the server (SIGTERM, then SIGKILL after 10s) and waits for
// it to exit. Stopping a stopped server does nothing; there is no restart.
func (r *Redis) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	proc := r.proc
	if proc == nil {
		return nil
	}
	r.proc = nil
	if !proc.stopWithin(syscall.SIGTERM, redisStopTimeout) {
		return fmt.Errorf("testutil: redis-server did not stop within %v", redisStopTimeout)
	}
	return nil
}

// Close stops the server and removes the directory LaunchRedis created. It
// is idempotent.
func (r *Redis) Close() error {
	err := r.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return err
	}
	r.closed = true
	return errors.Join(err, os.RemoveAll(r.dir))
}
