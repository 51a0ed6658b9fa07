package httphealth

import (
	"encoding/json"
	"testing"
)

func TestErrorBodyAndCache(t *testing.T) {
	var m msgCache
	a := m.get(`x "y"`)
	if string(a.b) != `{"status":"error","error":"x \"y\""}` || a.len[0] != "36" {
		t.Fatalf("body %s len %v", a.b, a.len)
	}
	if m.get(`x "y"`) != a {
		t.Fatal("same message re-encoded")
	}
	if b := m.get("other"); b == a || string(b.b) != `{"status":"error","error":"other"}` {
		t.Fatalf("changed message: %s", b.b)
	}
	if n := testing.AllocsPerRun(100, func() { m.get("other") }); n != 0 {
		t.Fatalf("cached get allocates %v", n)
	}
}

func TestConstantBodiesAreJSON(t *testing.T) {
	for _, b := range []*body{bodyOK, bodyDegraded, bodyUnhealthy, bodyNotLive, bodyUnauthorized, bodyUnknownCheck, bodyBadLevel, bodyBadHistory} {
		if !json.Valid(b.b) {
			t.Errorf("invalid JSON: %s", b.b)
		}
	}
}
