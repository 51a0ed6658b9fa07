package testutil

import (
	"context"
	"time"
)

// AlertmanagerSilence is a silence as GET /api/v2/silences returns it.
type AlertmanagerSilence struct {
	ID       string `json:"id"`
	Matchers []struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		IsRegex bool   `json:"isRegex"`
		IsEqual *bool  `json:"isEqual"`
	} `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
	Status    struct {
		State string `json:"state"` // active, pending, expired
	} `json:"status"`
}

// Matches returns the silence's equality matchers as a map, name to value.
func (s AlertmanagerSilence) Matches() map[string]string {
	m := map[string]string{}
	for _, x := range s.Matchers {
		if !x.IsRegex && (x.IsEqual == nil || *x.IsEqual) {
			m[x.Name] = x.Value
		}
	}
	return m
}

// Silences returns every silence Alertmanager holds (GET
// /api/v2/silences), expired ones included: read Status.State.
func (a *Alertmanager) Silences(ctx context.Context) ([]AlertmanagerSilence, error) {
	var out []AlertmanagerSilence
	return out, a.getJSON(ctx, "/api/v2/silences", &out)
}
