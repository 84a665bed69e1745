package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

func backend(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("watch") == "true" {
			w.WriteHeader(http.StatusOK)
			for {
				if _, err := io.WriteString(w, "{}\n"); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func start(t *testing.T, seed int64) *Proxy {
	t.Helper()
	p, err := Start(&rest.Config{Host: backend(t).URL}, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func get(t *testing.T, p *Proxy, path string) (int, string, error) {
	t.Helper()
	resp, err := http.Get(p.Config().Host + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), func() error {
		if len(body) == 0 {
			return io.ErrUnexpectedEOF
		}
		return nil
	}()
}

func TestFaults(t *testing.T) {
	p := start(t, 1)
	if code, _, err := get(t, p, "/api"); code != 200 || err != nil {
		t.Fatalf("transparent: %d, %v", code, err)
	}
	p.SetFaults(Faults{Errors: 1})
	if code, _, _ := get(t, p, "/api"); code != 500 {
		t.Errorf("errors: %d, want 500", code)
	}
	p.SetFaults(Faults{Throttles: 1, RetryAfter: 2 * time.Second})
	if code, retry, _ := get(t, p, "/api"); code != 429 || retry != "2" {
		t.Errorf("throttles: %d Retry-After %q, want 429, 2", code, retry)
	}
	p.SetFaults(Faults{Resets: 1})
	if _, _, err := get(t, p, "/api"); err == nil {
		t.Error("resets: the request succeeded")
	}
	p.SetFaults(Faults{Delays: 1, Delay: 150 * time.Millisecond})
	begin := time.Now()
	if code, _, err := get(t, p, "/api"); code != 200 || err != nil || time.Since(begin) < 150*time.Millisecond {
		t.Errorf("delays: %d, %v after %s", code, err, time.Since(begin))
	}
	p.SetFaults(Faults{WatchCut: 300 * time.Millisecond})
	begin = time.Now()
	resp, err := http.Get(p.Config().Host + "/api/v1/pods?watch=true")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if d := time.Since(begin); d < 150*time.Millisecond || d > 5*time.Second {
		t.Errorf("the watch was cut after %s, want between 150 ms and 300 ms", d)
	}
	p.SetFaults(Faults{})
	if code, _, err := get(t, p, "/api"); code != 200 || err != nil {
		t.Fatalf("transparent again: %d, %v", code, err)
	}
	c := p.Counts()
	// Go's client retries a GET whose reused connection was reset: a reset
	// may count twice.
	for _, k := range []string{Error, Throttle, Reset, Delay, WatchCut} {
		if c[k] < 1 || (k != Reset && c[k] != 1) {
			t.Errorf("count of %s = %d, want 1 (%s)", k, c[k], p)
		}
	}
	if !strings.Contains(p.String(), " requests, faulted: delay=1 error=1 reset=") {
		t.Errorf("String() = %q", p)
	}
}

func TestSeeded(t *testing.T) {
	seq := func(seed int64) []int {
		p := start(t, seed)
		p.SetFaults(Faults{Errors: 0.5})
		var out []int
		for range 20 {
			code, _, _ := get(t, p, "/api")
			out = append(out, code)
		}
		return out
	}
	a, b := seq(7), seq(7)
	if !slices.Equal(a, b) {
		t.Errorf("the same seed gave %v and %v", a, b)
	}
	if !slices.Contains(a, 500) || !slices.Contains(a, 200) {
		t.Errorf("half errors gave %v", a)
	}
}
