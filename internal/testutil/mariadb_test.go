package testutil

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mariaDBLogin runs SELECT 1 as user over TCP with the mariadb client.
func mariaDBLogin(ctx context.Context, m *MariaDB, user, password, database string) (string, error) {
	out, err := exec.CommandContext(ctx, m.bin.Client, "--no-defaults", "--protocol=tcp",
		"--host="+m.Host(), "--port="+strconv.Itoa(m.Port()),
		"--user="+user, "--password="+password, "--database="+database,
		"--batch", "--skip-column-names", "-e", "SELECT 1").CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func TestMariaDBLaunchLoginAndClose(t *testing.T) {
	t.Parallel()
	m := StartMariaDBWith(t, MariaDBOptions{User: "kit_user", Database: "kit_db"})
	ctx := ctxTimeout(t, 40*time.Second)

	if out, err := mariaDBLogin(ctx, m, m.User(), m.Password(), m.Database()); err != nil || out != "1" {
		t.Fatalf("login as %s: %v %q", m.User(), err, out)
	}
	if out, err := mariaDBLogin(ctx, m, m.User(), "wrong", m.Database()); err == nil || !strings.Contains(out, "Access denied") {
		t.Errorf("wrong password: %v %q, want access denied", err, out)
	}
	if want := "kit_user:" + m.Password() + "@tcp(" + m.Addr() + ")/kit_db"; m.DSN() != want {
		t.Errorf("DSN = %q, want %q", m.DSN(), want)
	}
	if err := m.Exec(ctx, "CREATE TABLE kit_db.t (id INT); INSERT INTO kit_db.t VALUES (1);"); err != nil {
		t.Fatal(err)
	}
	if err := m.Exec(ctx, "SELECT * FROM no_such_db.t"); err == nil || !strings.Contains(err.Error(), "no_such_db") {
		t.Errorf("Exec of a bad statement: %v, want the server's error", err)
	}

	root := m.root
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := os.Stat(root); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s: %v", root, err)
	}
	if err := m.Start(); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestMariaDBStopStartPause(t *testing.T) {
	t.Parallel()
	m := StartMariaDB(t)
	port := m.Port()

	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := m.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := mariaDBGreets(m.Addr()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("after Stop: %v, want connection refused", err)
	}
	if err := m.Pause(); err == nil {
		t.Error("Pause of a stopped server succeeded")
	}

	// A start that fails reports the server log and leaves nothing running.
	squatter, err := net.Listen("tcp", m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	err = m.Start()
	squatter.Close()
	if err == nil || !strings.Contains(err.Error(), "Address already in use") {
		t.Fatalf("Start on a taken port: %v, want the log's \"Address already in use\"", err)
	}

	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Errorf("Start while running: %v", err)
	}
	if m.Port() != port {
		t.Errorf("port changed from %d to %d", port, m.Port())
	}

	if err := m.Pause(); err != nil {
		t.Fatal(err)
	}
	// Paused: the kernel accepts, nobody greets.
	var ne net.Error
	if err := mariaDBGreets(m.Addr()); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("while paused: %v, want a timeout", err)
	}
	if err := m.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := mariaDBGreets(m.Addr()); err != nil {
		t.Errorf("after Resume: %v", err)
	}
	ctx := ctxTimeout(t, 40*time.Second)
	if out, err := mariaDBLogin(ctx, m, m.User(), m.Password(), m.Database()); err != nil || out != "1" {
		t.Fatalf("login after restart: %v %q", err, out)
	}
}

func TestLaunchMariaDBNeedsDir(t *testing.T) {
	if _, err := LaunchMariaDB(MariaDBOptions{}); err == nil || !strings.Contains(err.Error(), "Dir is required") {
		t.Errorf("LaunchMariaDB without Dir: %v", err)
	}
}
