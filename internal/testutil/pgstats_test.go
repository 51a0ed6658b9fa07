package testutil

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sys/unix"
)

// grown reads count and fails the test unless it has grown by at least
// want since before; it returns the growth.
func grown(t *testing.T, ctx context.Context, count func(context.Context) (int64, error), before, want int64) int64 {
	t.Helper()
	after, err := count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before < want {
		t.Fatalf("count went from %d to %d, want an increase of %d", before, after, want)
	}
	return after - before
}

// waitExit waits (at most within) for the process pid, which need not be
// a child of this one, to exit: its pidfd turns readable then.
func waitExit(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if errors.Is(err, unix.ESRCH) {
		return // gone already
	}
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	defer f.Close()
	if err := f.SetReadDeadline(time.Now().Add(within)); err != nil {
		t.Fatal(err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	err = rc.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, _ := unix.Poll(fds, 0)
		return n > 0 // else wait for the poller to see it readable
	})
	if err != nil {
		t.Fatalf("process %d did not exit within %v: %v", pid, within, err)
	}
}

func TestPostgresQueryCounts(t *testing.T) {
	t.Parallel()
	pg := StartPostgres(t)
	ctx := ctxTimeout(t, 20*time.Second)
	const queries = 5

	xacts, err := pg.XactCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stmts, stmtErr := pg.StatementCount(ctx)
	if stmtErr != nil && !errors.Is(stmtErr, ErrNoStatStatements) {
		t.Fatal(stmtErr)
	}

	conn, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(ctx); err != nil { // an empty statement: not counted
		t.Fatal(err)
	}
	for range queries {
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}

	if stmtErr == nil {
		// Exact and immediate, while the session is still open.
		if got := grown(t, ctx, pg.StatementCount, stmts, queries); got != queries {
			t.Errorf("StatementCount grew by %d, want %d", got, queries)
		}
	} else {
		t.Log(stmtErr)
	}

	backend := int(conn.PgConn().PID())
	conn.Close(ctx) // a backend publishes its transaction counts when it exits
	waitExit(t, backend, 3*time.Second)
	grown(t, ctx, pg.XactCount, xacts, queries)
}
