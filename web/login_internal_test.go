package web

import (
	"testing"
	"time"
)

// Attack 9 of issue 12 and its relatives: after login only a same-origin
// relative path is followed.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/cases?status=open":             "/cases?status=open",
		"/registry/12#history":           "/registry/12#history",
		"/\t/evil.example":               "",
		"/\n/evil.example":               "",
		"/\r/evil.example":               "",
		"//evil.example":                 "",
		"/\\evil.example":                "",
		"/\\/evil.example":               "",
		"/cases\\..\\..\\evil":           "",
		"https://evil.example/":          "",
		"javascript:alert(1)":            "",
		"evil.example":                   "",
		" /cases":                        "",
		"/ /evil.example":                "",
		"/login?next=//evil.example":     "",
		"/\x00/evil.example":             "",
		"/\u2028/evil.example":           "",
		"/%09/evil.example":              "/%09/evil.example", // stays encoded: a path on this site
		"":                               "",
		"/" + string(make([]byte, 3000)): "",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// Only failures count against an address: an office behind one NAT
// address logs in together.
func TestLoginLimiterCountsFailuresOnly(t *testing.T) {
	l := newLoginLimiter(loginFailureLimit, loginFailureWindow)
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 200; i++ { // 200 people, every tenth mistypes once
		if l.full("10.1.1.1", now) {
			t.Fatalf("login %d from the office refused", i)
		}
		if i%10 == 0 {
			l.note("10.1.1.1", now)
		}
	}
	for i := 0; i < loginFailureLimit; i++ {
		l.note("203.0.113.7", now)
	}
	if !l.full("203.0.113.7", now) || l.full("10.1.1.1", now) {
		t.Error("a spraying address is not stopped, or the office is")
	}
	if l.full("203.0.113.7", now.Add(loginFailureWindow+1)) {
		t.Error("the address is still refused after the window")
	}
}
