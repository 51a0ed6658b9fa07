package testutil

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"
)

func TestStartAlertmanager(t *testing.T) {
	am := StartAlertmanager(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := []byte(`[{"labels":{"alertname":"TestAlert","check":"x"}}]`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, am.URL()+"/api/v2/alerts", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST alerts: HTTP %d", resp.StatusCode)
	}
	alerts, err := am.ActiveAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Labels["check"] != "x" {
		t.Fatalf("alerts = %+v", alerts)
	}
	if err := am.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := am.ActiveAlerts(ctx); err == nil {
		t.Fatal("a closed Alertmanager still answers")
	}
}
