package testutil

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func selectOne(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	if one != 1 {
		return errors.New("SELECT 1 did not return 1")
	}
	return nil
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestPostgresConnectAndAuth(t *testing.T) {
	t.Parallel()
	pg := StartPostgres(t)
	ctx := ctxTimeout(t, 20*time.Second)

	if err := selectOne(ctx, pg.DSN()); err != nil {
		t.Fatalf("SELECT 1 via DSN %s: %v", pg.DSN(), err)
	}
	if pg.User() != "app" || pg.Database() != "app" || len(pg.Password()) != 24 {
		t.Errorf("defaults: user %q db %q password %q", pg.User(), pg.Database(), pg.Password())
	}
	if pg.Host() != "127.0.0.1" || pg.Addr() != "127.0.0.1:"+itoa(pg.Port()) {
		t.Errorf("Host %q Addr %q Port %d", pg.Host(), pg.Addr(), pg.Port())
	}

	cfg, err := pgx.ParseConfig(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Password = "wrong"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		conn.Close(ctx)
		t.Fatal("connected with a wrong password")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Errorf("wrong password: %v, want SQLSTATE 28P01 (invalid_password)", err)
	}

	err = selectOne(ctx, pg.DSNFor("database_not_exist"))
	if !errors.As(err, &pgErr) || pgErr.Message != `database "database_not_exist" does not exist` {
		t.Errorf("missing database: %v, want PgError `database \"database_not_exist\" does not exist`", err)
	}

	if err := pg.Exec(ctx, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := selectOne(ctx, pg.SuperuserDSN()); err != nil {
		t.Errorf("superuser DSN: %v", err)
	}
}

// TestLaunchPostgresOptionsAndClose uses custom credentials that need
// quoting and a Dir too long for a unix socket path, then closes the cluster
// while it is paused.
func TestLaunchPostgresOptionsAndClose(t *testing.T) {
	t.Parallel()
	if _, err := FindPostgresBin(); err != nil {
		t.Skip(err)
	}
	parent := filepath.Join(launchDir(t, "healthcheck-pg-"), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	pg, err := LaunchPostgres(PostgresOptions{Dir: parent, User: "svc", Password: "it's secret", Database: "svc db"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 20*time.Second)
	if err := selectOne(ctx, pg.DSN()); err != nil {
		t.Fatalf("custom user, quoted password and database: %v", err)
	}
	if err := pg.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatalf("superuser over the relocated socket: %v", err)
	}
	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := pg.Start(); err == nil {
		t.Error("Start after Close succeeded")
	}
	left, _ := filepath.Glob(filepath.Join(parent, "*"))
	if len(left) != 0 {
		t.Errorf("Close left %v", left)
	}
	if pg.extraDir == "" {
		t.Error("the socket was not moved out of the long Dir")
	} else if _, err := os.Stat(pg.extraDir); !os.IsNotExist(err) {
		t.Errorf("Close left the socket dir %s: %v", pg.extraDir, err)
	}
}

func TestLaunchPostgresNeedsDir(t *testing.T) {
	if _, err := LaunchPostgres(PostgresOptions{}); err == nil || !strings.Contains(err.Error(), "Dir") {
		t.Errorf("LaunchPostgres without Dir: %v, want an error about Dir", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
