package appclient

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"5", 5 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"99999999999999", 365 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.value, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %s, %t; want %s, %t", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoff(t *testing.T) {
	r := Retry{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second}.withDefaults()
	for attempt, max := range map[int]time.Duration{
		1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 60: time.Second,
	} {
		for range 50 {
			if d := r.backoff(attempt); d < max/2 || d > max {
				t.Fatalf("backoff(%d) = %s, want in [%s, %s]", attempt, d, max/2, max)
			}
		}
	}
	if d := (Retry{}).withDefaults(); d.Attempts != 3 || d.Backoff != 200*time.Millisecond || d.MaxBackoff != 5*time.Second || d.MaxRetryAfter != 30*time.Second {
		t.Errorf("defaults = %+v", d)
	}
}

func TestIdempotent(t *testing.T) {
	for m, want := range map[string]bool{
		"GET": true, "HEAD": true, "OPTIONS": true, "TRACE": true, "PUT": true, "DELETE": true,
		"POST": false, "PATCH": false, "CONNECT": false,
	} {
		if idempotent(m) != want {
			t.Errorf("idempotent(%s) = %t", m, !want)
		}
	}
}
