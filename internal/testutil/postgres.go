package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	pgSuperuser     = "postgres"
	pgReadyTimeout  = 30 * time.Second
	pgStopTimeout   = 30 * time.Second
	pgLaunchRetries = 3
	// maxSocketDir keeps "<dir>/.s.PGSQL.65535" within sun_path (108 bytes).
	maxSocketDir = 107 - len("/.s.PGSQL.65535")
)

// PostgresOptions configures LaunchPostgres.
type PostgresOptions struct {
	// Dir is the directory under which the cluster is created (required).
	// LaunchPostgres makes a fresh subdirectory in it and Close removes only
	// that. When running as root, Dir gains search permission for group and
	// others, and every parent of Dir must already be searchable by the
	// postgres system user.
	Dir string
	// User is the login role created for the application; default "app".
	User string
	// Password is User's password; default 24 random hex characters.
	Password string
	// Database is created and owned by User; default "app".
	Database string
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
}

// Postgres is a PostgreSQL cluster started by LaunchPostgres, listening on
// 127.0.0.1 with password (SCRAM) authentication and on a private unix
// socket where the postgres superuser is trusted. It is tuned for tests:
// fsync, synchronous_commit and full_page_writes are off, so data does not
// survive a machine crash. Its methods are safe for concurrent use.
type Postgres struct {
	binDir   string
	root     string // created inside PostgresOptions.Dir; removed by Close
	dataDir  string
	sockDir  string
	extraDir string // socket dir outside root when root's path is too long
	logPath  string
	cred     *syscall.Credential // nil unless running as root
	logf     func(string, ...any)
	pgss     bool // pg_stat_statements is preloaded and created

	user, password, database string
	port                     int

	mu     sync.Mutex
	proc   *process // nil while stopped
	paused []int    // pids stopped by Pause
	closed bool
}

// LaunchPostgres creates a new cluster under opts.Dir with initdb, starts a
// postmaster on a free 127.0.0.1 port, waits up to 30s for it to accept
// connections and creates the application role and database. The caller must
// Close it. Without server binaries it returns an error wrapping
// ErrNoPostgres. As root, initdb and postgres run as the postgres system
// user, since PostgreSQL refuses to run as root. On failure the error
// includes the tail of the server log, and nothing is left running.
func LaunchPostgres(opts PostgresOptions) (*Postgres, error) {
	if opts.Dir == "" {
		return nil, errors.New("testutil: PostgresOptions.Dir is required")
	}
	binDir, err := FindPostgresBin()
	if err != nil {
		return nil, err
	}
	p := &Postgres{
		binDir:   binDir,
		logf:     opts.Logf,
		user:     opts.User,
		password: opts.Password,
		database: opts.Database,
	}
	if p.logf == nil {
		p.logf = func(string, ...any) {}
	}
	if p.user == "" {
		p.user = "app"
	}
	if p.password == "" {
		p.password = randomHex(12)
	}
	if p.database == "" {
		p.database = "app"
	}
	if err := p.prepareDirs(opts.Dir); err != nil {
		_ = p.Close()
		return nil, err
	}
	p.pgss = hasStatStatements(binDir)
	if err := p.initdb(); err != nil {
		_ = p.Close()
		return nil, err
	}
	if err := p.launch(); err != nil {
		_ = p.Close()
		return nil, err
	}
	if err := p.bootstrap(); err != nil {
		_ = p.Close()
		return nil, err
	}
	p.logf("testutil: PostgreSQL listening on %s (data %s)", p.Addr(), p.dataDir)
	return p, nil
}

func (p *Postgres) prepareDirs(parent string) error {
	if os.Geteuid() == 0 {
		cred, err := systemCredential(pgSuperuser)
		if err != nil {
			return err
		}
		p.cred = cred
		if err := addSearch(parent); err != nil {
			return fmt.Errorf("testutil: %w", err)
		}
		if err := checkSearchable(parent, cred); err != nil {
			return err
		}
	}
	root, err := os.MkdirTemp(parent, "postgres-")
	if err != nil {
		return fmt.Errorf("testutil: %w", err)
	}
	p.root, err = filepath.Abs(root)
	if err != nil {
		return err
	}
	p.dataDir = filepath.Join(p.root, "data")
	p.sockDir = filepath.Join(p.root, "sock")
	p.logPath = filepath.Join(p.root, "postgres.log")
	if len(p.sockDir) > maxSocketDir {
		if p.extraDir, err = os.MkdirTemp("", "pgsock-"); err != nil {
			return fmt.Errorf("testutil: %w", err)
		}
		p.sockDir = p.extraDir
	}
	if err := os.Chmod(p.root, 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(p.dataDir, 0o700); err != nil {
		return err
	}
	if err := os.MkdirAll(p.sockDir, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(p.sockDir, 0o755); err != nil {
		return err
	}
	if p.cred == nil {
		return nil
	}
	for _, dir := range []string{p.dataDir, p.sockDir} {
		if err := chownTree(dir, p.cred); err != nil {
			return fmt.Errorf("testutil: %w", err)
		}
	}
	return nil
}

func (p *Postgres) initdb() error {
	p.logf("testutil: initdb %s", p.dataDir)
	cmd := exec.Command(filepath.Join(p.binDir, "initdb"),
		"-D", p.dataDir,
		"-U", pgSuperuser,
		"--auth-local=trust",
		"--auth-host=scram-sha-256",
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	cmd.Dir = p.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	if f, ferr := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); ferr == nil {
		_, _ = f.Write(out)
		_ = f.Close()
	}
	if err != nil {
		return fmt.Errorf("testutil: initdb: %w\n%s", err, logTail(p.logPath, 0, 30))
	}
	return nil
}

// launch starts the postmaster on a free port, retrying with another port
// when the chosen one was taken in the meantime.
func (p *Postgres) launch() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var err error
	for range pgLaunchRetries {
		if p.port, err = FreePort(); err != nil {
			return err
		}
		if err = p.startLocked(); err == nil || !strings.Contains(err.Error(), "already in use") {
			return err
		}
		p.logf("testutil: port %d taken, retrying", p.port)
	}
	return err
}

// bootstrap creates (or updates) the application role and database.
func (p *Postgres) bootstrap() error {
	ctx, cancel := context.WithTimeout(context.Background(), pgReadyTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.superuserDSN(pgSuperuser))
	if err != nil {
		return fmt.Errorf("testutil: bootstrap: %w", err)
	}
	defer conn.Close(ctx)

	role := pgx.Identifier{p.user}.Sanitize()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", p.user).Scan(&exists); err != nil {
		return fmt.Errorf("testutil: bootstrap: %w", err)
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("%s ROLE %s LOGIN PASSWORD %s", verb, role, quoteLiteral(p.password))); err != nil {
		return fmt.Errorf("testutil: bootstrap role %s: %w", p.user, err)
	}
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", p.database).Scan(&exists); err != nil {
		return fmt.Errorf("testutil: bootstrap: %w", err)
	}
	if !exists {
		sql := fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{p.database}.Sanitize(), role)
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("testutil: bootstrap database %s: %w", p.database, err)
		}
	}
	if p.pgss {
		// Created in database postgres, the view reports every database.
		if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
			p.logf("testutil: pg_stat_statements unavailable: %v", err)
			p.pgss = false
		}
	}
	return nil
}

// DSN returns the URL for the application role and database over TCP:
// postgres://user:password@127.0.0.1:port/db?sslmode=disable.
func (p *Postgres) DSN() string { return p.DSNFor(p.database) }

// DSNFor is DSN with another database name; the database need not exist,
// which lets tests provoke "database ... does not exist".
func (p *Postgres) DSNFor(database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(p.user, p.password),
		Host:     p.Addr(),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// SuperuserDSN returns a keyword/value connection string for the postgres
// superuser on the application database over the cluster's private unix
// socket (trust authentication, no password).
func (p *Postgres) SuperuserDSN() string { return p.superuserDSN(p.database) }

func (p *Postgres) superuserDSN(database string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		quoteDSNValue(p.sockDir), p.port, pgSuperuser, quoteDSNValue(database))
}

// User returns the application role name.
func (p *Postgres) User() string { return p.user }

// Password returns the application role's password.
func (p *Postgres) Password() string { return p.password }

// Database returns the application database name.
func (p *Postgres) Database() string { return p.database }

// Host returns the TCP host the server listens on, "127.0.0.1".
func (p *Postgres) Host() string { return "127.0.0.1" }

// Port returns the TCP port; it stays the same across Stop and Start.
func (p *Postgres) Port() int { return p.port }

// Addr returns Host and Port joined as "127.0.0.1:port".
func (p *Postgres) Addr() string { return net.JoinHostPort(p.Host(), strconv.Itoa(p.port)) }

// LogPath returns the file that receives the server's output.
func (p *Postgres) LogPath() string { return p.logPath }

// Exec runs sql (several statements are allowed) as the postgres superuser
// in the application database, over the unix socket. Its transactions count
// in XactCount.
func (p *Postgres) Exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, p.SuperuserDSN())
	if err != nil {
		return fmt.Errorf("testutil: exec: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("testutil: exec: %w", err)
	}
	return nil
}

func randomHex(nBytes int) string {
	b := make([]byte, nBytes)
	_, _ = rand.Read(b) // never fails, per crypto/rand
	return hex.EncodeToString(b)
}

// quoteLiteral quotes s as an SQL string literal
// (standard_conforming_strings is on by default).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteDSNValue quotes s for a keyword/value connection string.
func quoteDSNValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}
