package httphealth

import (
	"encoding/json"
	"testing"
	"time"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `database "x" does not exist`, `back\slash`, "tab\tnew\nline\rcr", "\b\f",
		"\x00\x01\x1f\x7f", "<script>&amp;</script>", "ünïcödé ✓ 日本", "\u2028\u2029",
		"bad \xff\xfe utf8", "\xed\xa0\x80 surrogate", "emoji 🎉",
	} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff", "\u2028", "<>&", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestAppendMillis(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                         "0",
		1500 * time.Microsecond:   "1.5",
		45 * time.Millisecond:     "45",
		1234567 * time.Nanosecond: "1.234",
		2 * time.Second:           "2000",
	} {
		if got := string(appendMillis(nil, d)); got != want {
			t.Errorf("appendMillis(%v) = %s, want %s", d, got, want)
		}
	}
}
