package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// holdState is what a Dispatcher holds back during a maintenance window.
// Guarded by Dispatcher.mu.
type holdState struct {
	on bool
	// fired marks the alerts (check + alert name) that fired during the
	// window and were held: their resolution is held too.
	fired map[string]bool
	// silences are the Alertmanager silences of the window, by sink
	// index (maintenance.go); guarded by silenceMu.
	silences map[int]string
}

// held reports whether e is held back (d.mu held): while in maintenance,
// every firing event and repeat, and the resolution of an alert that
// fired during the window; the resolution of an alert sinks had before
// the window still goes out. Once the window ends, the alerts still
// firing go out at the next repeat (their sinks never got them).
func (d *Dispatcher) held(e Event) bool {
	h := &d.hold
	if !h.on {
		return false
	}
	key := e.Check + "\x00" + e.Alert
	if e.Firing {
		if h.fired == nil {
			h.fired = map[string]bool{}
		}
		h.fired[key] = true
		return true
	}
	if h.fired[key] {
		delete(h.fired, key)
		return true
	}
	return false
}

// Maintenance tells the Dispatcher about this replica's maintenance
// window (lifecycle's Hooks.OnMaintenance; healthfx wires it). While m is
// Active, events are held back (see below) and, for each Alertmanager
// sink, a silence matching service=<WithService> and
// instance=<WithInstance> is created for the window (POST
// /api/v2/silences, createdBy m.By or "healthcheck", comment "maintenance:
// " + m.Reason); a later active window replaces it. When m is not
// Active, the hold ends and the silences are expired (DELETE
// /api/v2/silence/{id}). Without an instance name no silence is made (it
// would silence every replica). The requests run within ctx; their
// errors are returned joined (and the hold changes anyway).
//
// Held back while in maintenance: every firing event and every repeat,
// and the resolution of an alert that fired during the window; the
// resolution of an alert that fired before still goes out. Alerts still
// firing when the window ends go out at the next repeat.
func (d *Dispatcher) Maintenance(ctx context.Context, m checks.Maintenance) error {
	d.mu.Lock()
	d.hold.on = m.Active
	if !m.Active {
		d.hold.fired = nil
	}
	d.mu.Unlock()
	d.silenceMu.Lock()
	defer d.silenceMu.Unlock()
	var errs []error
	for i, q := range d.queues {
		am, ok := q.sink.Publisher.(*amPublisher)
		if !ok {
			continue
		}
		old := d.hold.silences[i]
		if old != "" {
			if err := am.expireSilence(ctx, old); err != nil {
				errs = append(errs, fmt.Errorf("alerting: %s: expire silence: %w", q.sink.Name, err))
			}
			delete(d.hold.silences, i)
		}
		if !m.Active || d.cfg.instance == "" {
			continue
		}
		id, err := am.createSilence(ctx, d.cfg.service, d.cfg.instance, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("alerting: %s: create silence: %w", q.sink.Name, err))
			continue
		}
		if d.hold.silences == nil {
			d.hold.silences = map[int]string{}
		}
		d.hold.silences[i] = id
	}
	err := errors.Join(errs...)
	if err != nil {
		d.cfg.logger.Warn("alerting: maintenance silence", "error", err.Error())
	}
	return err
}

// apiBase is the Alertmanager's /api/v2 URL.
func (p *amPublisher) apiBase() string { return strings.TrimSuffix(p.url, "/alerts") }

type amMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual bool   `json:"isEqual"`
}

// createSilence posts a silence of service and instance for m's window
// and returns its id.
func (p *amPublisher) createSilence(ctx context.Context, service, instance string, m checks.Maintenance) (string, error) {
	by := m.By
	if by == "" {
		by = "healthcheck"
	}
	body, _ := json.Marshal(map[string]any{
		"matchers": []amMatcher{
			{Name: "service", Value: service, IsEqual: true},
			{Name: "instance", Value: instance, IsEqual: true},
		},
		"startsAt":  m.Since.UTC().Format(time.RFC3339Nano),
		"endsAt":    m.Until.UTC().Format(time.RFC3339Nano),
		"createdBy": by,
		"comment":   "maintenance: " + m.Reason,
	})
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	if err := p.call(ctx, http.MethodPost, p.apiBase()+"/silences", body, &out); err != nil {
		return "", err
	}
	if out.SilenceID == "" {
		return "", errors.New("no silenceID in the answer")
	}
	return out.SilenceID, nil
}

// expireSilence deletes (expires) silence id.
func (p *amPublisher) expireSilence(ctx context.Context, id string) error {
	return p.call(ctx, http.MethodDelete, p.apiBase()+"/silence/"+id, nil, nil)
}

// call sends one API request and decodes a 2xx answer into out, if any.
func (p *amPublisher) call(ctx context.Context, method, u string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad request: %s", checks.SafeMessage(err))
	}
	for k, v := range p.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "healthcheck-alerting")
	resp, err := p.client.Do(req)
	if err != nil {
		return transportError{err}
	}
	defer resp.Body.Close()
	lr := io.LimitReader(resp.Body, 64<<10)
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		_, _ = io.Copy(io.Discard, lr)
		return &httpError{StatusCode: resp.StatusCode}
	}
	if out != nil {
		if err := json.NewDecoder(lr).Decode(out); err != nil {
			return fmt.Errorf("bad answer: %w", err)
		}
	}
	_, _ = io.Copy(io.Discard, lr)
	return nil
}
