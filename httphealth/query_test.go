package httphealth

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestAcceptsHealthJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                        false,
		"application/json":        false,
		"*/*":                     false,
		"application/health+json": true,
		"APPLICATION/HEALTH+JSON": true,
		"text/html, application/health+json;q=0.9": true,
		"application/health+json; q=0":             false,
		"application/health+json;q=0.0, */*":       false,
		"application/health+json;q=bogus":          true,
		"application/health+jsonx":                 false,
	} {
		if got := acceptsHealthJSON([]string{accept}); got != want {
			t.Errorf("acceptsHealthJSON(%q) = %v, want %v", accept, got, want)
		}
	}
	if !acceptsHealthJSON([]string{"application/json", "application/health+json"}) {
		t.Error("second Accept header ignored")
	}
}

func TestSplitList(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{""}, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"a,b", "c"}, []string{"a", "b", "c"}},
		{[]string{" a , ,b,"}, []string{"a", "b"}},
	} {
		if got := splitList(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDetailedQuery(t *testing.T) {
	cases := []struct {
		query   string
		want    detailedQuery
		wantErr *body
	}{
		{"", detailedQuery{level: checks.LevelComprehensive}, nil},
		{"level=basic&history=1", detailedQuery{level: checks.LevelBasic, history: true}, nil},
		{"level=basic&level=standard", detailedQuery{level: checks.LevelStandard}, nil},
		{"check=a,b&exclude=c", detailedQuery{level: checks.LevelComprehensive, include: []string{"a", "b"}, exclude: []string{"c"}}, nil},
		{"level=all", detailedQuery{}, bodyBadLevel},
		{"history=yes", detailedQuery{}, bodyBadHistory},
	}
	for _, tc := range cases {
		v, _ := url.ParseQuery(tc.query)
		got, errBody := parseDetailedQuery(v, http.Header{})
		if errBody != tc.wantErr {
			t.Errorf("%q: error body %v, want %v", tc.query, errBody, tc.wantErr)
			continue
		}
		if tc.wantErr != nil {
			continue
		}
		if got.level != tc.want.level || got.history != tc.want.history ||
			!slices.Equal(got.include, tc.want.include) || !slices.Equal(got.exclude, tc.want.exclude) {
			t.Errorf("%q: %+v, want %+v", tc.query, got, tc.want)
		}
	}
}
