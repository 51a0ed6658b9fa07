package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestServicesListingEachOther runs two instances of the example that list
// each other as downstream services, over one real PostgreSQL: both are
// healthy; after the database is stopped for 5 s and started again both are
// healthy again (the cycle settles: a downstream answers a chain request
// without its own downstream checks); with one killed, the other reports
// it unhealthy in its details and stays 200 "degraded".
func TestServicesListingEachOther(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	ports := make([]int, 2)
	for i := range ports {
		p, err := testutil.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	url := func(i int) string { return fmt.Sprintf("http://127.0.0.1:%d", ports[i]) }
	start := func(i int) *service {
		other := 1 - i
		s := launchPackage(t, ".", fastEnv(
			"DATABASE_URL="+pg.DSN(),
			"HEALTH_JWT_SECRET="+testSecret,
			fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", ports[i]),
			fmt.Sprintf("HEALTH_CHECK_DOWNSTREAM_URLS=peer=%s/healthcheck/", url(other)),
		)...)
		s.URL = url(i)
		return s
	}
	a, b := start(0), start(1)
	client := &http.Client{Timeout: 5 * time.Second}
	t.Cleanup(client.CloseIdleConnections)
	public := func(s *service) (int, string) { // 0 while not listening
		resp, err := client.Get(s.URL + "/healthcheck/")
		if err != nil {
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	healthy := func(s *service) bool {
		code, body := public(s)
		return code == 200 && body == `{"status":"success","data":{"health":"ok"}}`
	}
	eventually(t, 60*time.Second, "both healthy", func() bool { return healthy(a) && healthy(b) })

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "both unhealthy with the database stopped", func() bool {
		ca, _ := public(a)
		cb, _ := public(b)
		return ca == 500 && cb == 500
	})
	time.Sleep(5 * time.Second) // kept: the 5 s outage is the scenario under test
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, 30*time.Second, "both healthy again after the outage", func() bool { return healthy(a) && healthy(b) })
	t.Logf("both healthy %v after the database came back", took.Round(time.Millisecond))

	b.Terminate(t)
	if code := b.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("b exited %d", code)
	}
	eventually(t, 20*time.Second, "a degraded with b gone", func() bool {
		code, body := public(a)
		return code == 200 && body == `{"status":"success","data":{"health":"degraded"}}`
	})
	token := testutil.MintHS256([]byte(testSecret), testutil.ValidClaims("", "", time.Minute))
	code, body := a.Get(t, "/healthcheck/detailed/peer", "Authorization", "Bearer "+token)
	if code != 200 || !strings.Contains(body, `"status":"unhealthy"`) || !strings.Contains(body, `"downstream":true`) {
		t.Fatalf("a's detailed view of b: %d %s", code, body)
	}
}
