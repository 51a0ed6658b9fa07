package testutil

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestStartPostgresCleansUp(t *testing.T) {
	t.Parallel()
	var pg *Postgres
	t.Run("inner", func(t *testing.T) {
		pg = StartPostgres(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := selectOne(ctx, pg.DSN()); err != nil {
			t.Fatal(err)
		}
	})
	if pg == nil {
		return // skipped
	}
	if _, err := os.Stat(pg.LogPath()); !os.IsNotExist(err) {
		t.Errorf("cluster directory survived the test: %v", err)
	}
	if err := pg.Start(); err == nil {
		t.Error("cluster restartable after the test ended")
	}
}
