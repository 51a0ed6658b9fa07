package testutil

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestPostgresStopStart(t *testing.T) {
	t.Parallel()
	pg := StartPostgres(t)
	ctx := ctxTimeout(t, 40*time.Second)
	port := pg.Port()

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	err := selectOne(ctx, pg.DSN())
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("after Stop: %v, want connection refused", err)
	}

	// A start that fails reports the server log and leaves nothing running.
	squatter, err := net.Listen("tcp", pg.Addr())
	if err != nil {
		t.Fatal(err)
	}
	err = pg.Start()
	squatter.Close()
	if err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("Start on a taken port: %v, want the log's \"already in use\"", err)
	}

	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Start(); err != nil {
		t.Errorf("Start while running: %v", err)
	}
	if pg.Port() != port {
		t.Errorf("port changed from %d to %d", port, pg.Port())
	}
	if err := selectOne(ctx, pg.DSN()); err != nil {
		t.Fatalf("after Start: %v", err)
	}
}

func TestPostgresPauseResume(t *testing.T) {
	t.Parallel()
	pg := StartPostgres(t)
	ctx := ctxTimeout(t, 40*time.Second)

	open, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close(ctx)

	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	err = selectOne(short, pg.DSN())
	cancel()
	if !pgconn.Timeout(err) {
		t.Errorf("new connection while paused: %v, want a timeout", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("deadline not honoured: took %v", took)
	}

	short, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = open.Exec(short, "SELECT 1")
	cancel()
	if !pgconn.Timeout(err) {
		t.Errorf("query on an open session while paused: %v, want a timeout", err)
	}

	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := selectOne(ctx, pg.DSN()); err != nil {
		t.Fatalf("after Resume: %v", err)
	}
	// The timed-out session's cleanup goroutine sends a cancel request and
	// finishes once the server answers again.
	<-open.PgConn().CleanupDone()
}
