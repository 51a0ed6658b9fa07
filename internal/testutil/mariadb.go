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

const (
	mariaDBSystemUser    = "mysql"
	mariaDBReadyTimeout  = 60 * time.Second
	mariaDBStopTimeout   = 30 * time.Second
	mariaDBLaunchRetries = 3
	// maxMariaDBSockDir keeps "<dir>/mariadb.sock" within sun_path (108 bytes).
	maxMariaDBSockDir = 107 - len("/mariadb.sock")
)

// ErrNoMariaDB is returned (possibly wrapped) by FindMariaDB and
// LaunchMariaDB when the MariaDB server binaries are not installed.
var ErrNoMariaDB = errors.New("MariaDB server binaries (mariadb-install-db, mariadbd, mariadb) not found: " +
	"install the Debian package mariadb-server (apt-get install mariadb-server)")

// MariaDBBinaries are the programs LaunchMariaDB runs.
type MariaDBBinaries struct {
	InstallDB string // mariadb-install-db (or mysql_install_db)
	Server    string // mariadbd (or mysqld)
	Client    string // mariadb (or mysql), used for bootstrap and Exec
}

// FindMariaDB locates the MariaDB binaries on $PATH, then in /usr/sbin and
// /usr/bin (Debian puts mariadbd in /usr/sbin), preferring the mariadb*
// names to the mysql* ones. It returns ErrNoMariaDB when one is missing.
func FindMariaDB() (MariaDBBinaries, error) {
	var b MariaDBBinaries
	for _, f := range []struct {
		dst   *string
		names []string
	}{
		{&b.InstallDB, []string{"mariadb-install-db", "mysql_install_db"}},
		{&b.Server, []string{"mariadbd", "mysqld"}},
		{&b.Client, []string{"mariadb", "mysql"}},
	} {
		*f.dst = findProgram(f.names...)
		if *f.dst == "" {
			return MariaDBBinaries{}, ErrNoMariaDB
		}
	}
	return b, nil
}

func findProgram(names ...string) string {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0 {
				return p
			}
		}
	}
	return ""
}

// MariaDBOptions configures LaunchMariaDB.
type MariaDBOptions struct {
	// Dir is the directory under which the server's files are created
	// (required). LaunchMariaDB makes a fresh subdirectory in it and Close
	// removes only that. When running as root, every parent of Dir must be
	// searchable by the mysql system user.
	Dir string
	// User is the account created for the application (host '%'); default
	// "app".
	User string
	// Password is User's password; default 24 random hex characters.
	Password string
	// Database is created, with every privilege on it granted to User;
	// default "app".
	Database string
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
}

// MariaDB is a MariaDB server started by LaunchMariaDB, listening on
// 127.0.0.1 with password authentication and on a private unix socket where
// root logs in without a password. It is tuned for tests (no binary log,
// a small buffer pool, no flush at commit). Its methods are safe for
// concurrent use.
type MariaDB struct {
	bin      MariaDBBinaries
	root     string // created inside MariaDBOptions.Dir; removed by Close
	dataDir  string
	sockDir  string
	extraDir string // socket dir outside root when root's path is too long
	logPath  string
	cred     *syscall.Credential // nil unless running as root
	logf     func(string, ...any)

	user, password, database string
	port                     int

	mu     sync.Mutex
	proc   *process // nil while stopped
	paused []int    // pids stopped by Pause
	closed bool
}

// LaunchMariaDB creates a data directory under opts.Dir with
// mariadb-install-db, starts mariadbd on a free 127.0.0.1 port, waits until
// it greets clients and creates the application account and database. The
// caller must Close it. Without the binaries it returns an error wrapping
// ErrNoMariaDB. As root, the server runs as the mysql system user (which the
// Debian package creates). On failure the error includes the tail of the
// server log, and nothing is left running.
func LaunchMariaDB(opts MariaDBOptions) (*MariaDB, error) {
	if opts.Dir == "" {
		return nil, errors.New("testutil: MariaDBOptions.Dir is required")
	}
	bin, err := FindMariaDB()
	if err != nil {
		return nil, err
	}
	m := &MariaDB{
		bin:      bin,
		logf:     opts.Logf,
		user:     opts.User,
		password: opts.Password,
		database: opts.Database,
	}
	if m.logf == nil {
		m.logf = func(string, ...any) {}
	}
	if m.user == "" {
		m.user = "app"
	}
	if m.password == "" {
		m.password = randomHex(12)
	}
	if m.database == "" {
		m.database = "app"
	}
	for _, step := range []func() error{
		func() error { return m.prepareDirs(opts.Dir) },
		m.installDB,
		m.launch,
		m.bootstrap,
	} {
		if err := step(); err != nil {
			_ = m.Close()
			return nil, err
		}
	}
	m.logf("testutil: MariaDB listening on %s (data %s)", m.Addr(), m.dataDir)
	return m, nil
}

func (m *MariaDB) prepareDirs(parent string) error {
	if os.Geteuid() == 0 {
		cred, err := systemCredential(mariaDBSystemUser)
		if err != nil {
			return err
		}
		m.cred = cred
		if err := addSearch(parent); err != nil {
			return fmt.Errorf("testutil: %w", err)
		}
		if err := checkSearchable(parent, cred); err != nil {
			return err
		}
	}
	root, err := os.MkdirTemp(parent, "mariadb-")
	if err != nil {
		return fmt.Errorf("testutil: %w", err)
	}
	if m.root, err = filepath.Abs(root); err != nil {
		return err
	}
	m.dataDir = filepath.Join(m.root, "data")
	m.sockDir = filepath.Join(m.root, "sock")
	m.logPath = filepath.Join(m.root, "mariadb.log")
	if len(m.sockDir) > maxMariaDBSockDir {
		if m.extraDir, err = os.MkdirTemp("", "mysock-"); err != nil {
			return fmt.Errorf("testutil: %w", err)
		}
		m.sockDir = m.extraDir
	}
	if err := os.Chmod(m.root, 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(m.dataDir, 0o700); err != nil {
		return err
	}
	if err := os.MkdirAll(m.sockDir, 0o755); err != nil {
		return err
	}
	if m.cred == nil {
		return nil
	}
	for _, dir := range []string{m.dataDir, m.sockDir} {
		if err := chownTree(dir, m.cred); err != nil {
			return fmt.Errorf("testutil: %w", err)
		}
	}
	return nil
}

func (m *MariaDB) installDB() error {
	m.logf("testutil: mariadb-install-db %s", m.dataDir)
	cmd := exec.Command(m.bin.InstallDB,
		"--no-defaults",
		"--datadir="+m.dataDir,
		"--auth-root-authentication-method=normal",
		"--skip-test-db",
		"--skip-name-resolve",
	)
	cmd.Dir = m.root
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: m.cred, Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	if f, ferr := os.OpenFile(m.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); ferr == nil {
		_, _ = f.Write(out)
		_ = f.Close()
	}
	if err != nil {
		return fmt.Errorf("testutil: mariadb-install-db: %w\n%s", err, logTail(m.logPath, 0, 30))
	}
	return nil
}

// launch starts the server on a free port, retrying with another port when
// the chosen one was taken in the meantime.
func (m *MariaDB) launch() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var err error
	for range mariaDBLaunchRetries {
		if m.port, err = FreePort(); err != nil {
			return err
		}
		if err = m.startLocked(); err == nil || !strings.Contains(err.Error(), "Address already in use") {
			return err
		}
		m.logf("testutil: port %d taken, retrying", m.port)
	}
	return err
}

// bootstrap creates the application database and account.
func (m *MariaDB) bootstrap() error {
	ctx, cancel := context.WithTimeout(context.Background(), mariaDBReadyTimeout)
	defer cancel()
	db, user := quoteIdent(m.database), quoteMariaDBLiteral(m.user)
	sql := fmt.Sprintf("CREATE DATABASE IF NOT EXISTS %s;\n"+
		"CREATE OR REPLACE USER %s@'%%' IDENTIFIED BY %s;\n"+
		"GRANT ALL PRIVILEGES ON %s.* TO %s@'%%';\n",
		db, user, quoteMariaDBLiteral(m.password), db, user)
	if err := m.Exec(ctx, sql); err != nil {
		return fmt.Errorf("testutil: bootstrap: %w", err)
	}
	return nil
}

// Exec runs sql (several statements separated by ';' are allowed) as the
// MariaDB root user over the server's unix socket, with the mariadb client
// (so that this package needs no MySQL driver).
func (m *MariaDB) Exec(ctx context.Context, sql string) error {
	cmd := exec.CommandContext(ctx, m.bin.Client,
		"--no-defaults",
		"--protocol=socket",
		"--socket="+m.socketPath(),
		"--user=root",
		"--batch",
	)
	cmd.Stdin = strings.NewReader(sql)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("testutil: mariadb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// DSN returns the application account's data source name for
// github.com/go-sql-driver/mysql over TCP: user:password@tcp(127.0.0.1:port)/db.
func (m *MariaDB) DSN() string { return m.DSNFor(m.database) }

// DSNFor is DSN with another database name; the database need not exist,
// which lets tests provoke "Unknown database".
func (m *MariaDB) DSNFor(database string) string {
	return fmt.Sprintf("%s:%s@tcp(%s)/%s", m.user, m.password, m.Addr(), database)
}

// User returns the application account's user name.
func (m *MariaDB) User() string { return m.user }

// Password returns the application account's password.
func (m *MariaDB) Password() string { return m.password }

// Database returns the application database name.
func (m *MariaDB) Database() string { return m.database }

// Host returns the TCP host the server listens on, "127.0.0.1".
func (m *MariaDB) Host() string { return "127.0.0.1" }

// Port returns the TCP port; it stays the same across Stop and Start.
func (m *MariaDB) Port() int { return m.port }

// Addr returns Host and Port joined as "127.0.0.1:port".
func (m *MariaDB) Addr() string { return net.JoinHostPort(m.Host(), strconv.Itoa(m.port)) }

// LogPath returns the file that receives the server's output.
func (m *MariaDB) LogPath() string { return m.logPath }

func (m *MariaDB) socketPath() string { return filepath.Join(m.sockDir, "mariadb.sock") }

// quoteIdent quotes s as a MariaDB identifier.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteMariaDBLiteral quotes s as a MariaDB string literal (backslash is
// an escape character there by default).
func quoteMariaDBLiteral(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}
