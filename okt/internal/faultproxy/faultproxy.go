// Package faultproxy puts a misbehaving API server in front of an operator,
// for okt's reliability tests: an HTTP proxy to a real kube-apiserver that,
// while its faults are on, answers some requests with errors (500), throttles
// some (429 with Retry-After), resets some connections, delays some answers,
// and cuts watch streams; with its faults off it is transparent.
//
// Faults are drawn from a seeded pseudo-random sequence, in the order
// requests arrive: the same seed and the same requests give the same faults.
// Every fault is counted, so that a test can tell a run that faulted nothing.
package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Faults says how often each fault happens, per request, while on. The zero
// value is no fault: transparent.
type Faults struct {
	// Errors is the share of requests answered 500 Internal Server Error.
	Errors float64
	// Throttles is the share answered 429 Too Many Requests, Retry-After:
	// RetryAfter (1 second when zero).
	Throttles  float64
	RetryAfter time.Duration
	// Resets is the share whose connection is closed without an answer.
	Resets float64
	// Delays is the share answered after Delay.
	Delays float64
	Delay  time.Duration
	// WatchCut, when set, cuts every watch stream after a time drawn between
	// WatchCut/2 and WatchCut.
	WatchCut time.Duration
}

// Fault kinds, as Counts names them.
const (
	Error    = "error"
	Throttle = "throttle"
	Reset    = "reset"
	Delay    = "delay"
	WatchCut = "watch-cut"
)

// Proxy is a fault-injecting proxy to an API server.
type Proxy struct {
	srv    *http.Server
	ln     net.Listener
	target *url.URL

	mu     sync.Mutex
	faults Faults
	rnd    *rand.Rand
	counts map[string]int
	total  int
}

// Start starts a proxy on a free port of 127.0.0.1 to the API server of
// target, with its credentials, faults off.
func Start(target *rest.Config, seed int64) (*Proxy, error) {
	rt, err := rest.TransportFor(target)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(target.Host)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "" {
		u, err = url.Parse("https://" + target.Host)
		if err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: u, rnd: rand.New(rand.NewSource(seed)), counts: map[string]int{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = u.Host
		},
		Transport:     rt,
		FlushInterval: -1, // watch streams go through as they come
		ErrorLog:      nil,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				return
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: p.handler(rp), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Config returns a client configuration that goes through the proxy (plain
// HTTP on loopback, no credentials: the proxy holds them).
func (p *Proxy) Config() *rest.Config {
	return &rest.Config{Host: "http://" + p.ln.Addr().String(), QPS: -1}
}

// Kubeconfig returns a kubeconfig file's content for Config.
func (p *Proxy) Kubeconfig() string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: faulty
  cluster:
    server: http://%s
contexts:
- name: faulty
  context:
    cluster: faulty
    user: nobody
current-context: faulty
users:
- name: nobody
  user: {}
`, p.ln.Addr())
}

// SetFaults turns faults on (or off, with the zero Faults).
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
}

// Counts returns the number of faults of each kind so far.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// Requests returns the number of requests the proxy received.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// String renders the counts: "12 requests, faulted: delay=3 error=2".
func (p *Proxy) String() string {
	c := p.Counts()
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, c[k])
	}
	return fmt.Sprintf("%d requests, faulted: %s", p.Requests(), strings.Join(parts, " "))
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() error { return p.srv.Close() }

// decision is what happens to one request.
type decision struct {
	fault    string
	delay    time.Duration
	watchCut time.Duration
	retry    time.Duration
}

// decide draws the fault of a request, in arrival order.
func (p *Proxy) decide(watch bool) decision {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total++
	f := p.faults
	x := p.rnd.Float64()
	d := decision{}
	switch {
	case x < f.Errors:
		d.fault = Error
	case x < f.Errors+f.Throttles:
		d.fault = Throttle
		d.retry = f.RetryAfter
		if d.retry <= 0 {
			d.retry = time.Second
		}
	case x < f.Errors+f.Throttles+f.Resets:
		d.fault = Reset
	case x < f.Errors+f.Throttles+f.Resets+f.Delays:
		d.fault, d.delay = Delay, f.Delay
	}
	if watch && f.WatchCut > 0 && d.fault == "" {
		d.watchCut = f.WatchCut/2 + time.Duration(p.rnd.Int63n(int64(f.WatchCut/2)+1))
	}
	if d.fault != "" {
		p.counts[d.fault]++
	}
	return d
}

func (p *Proxy) count(kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[kind]++
}

func (p *Proxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		watch := r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("watch") == "1"
		d := p.decide(watch)
		switch d.fault {
		case Error:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected by faultproxy","reason":"InternalError","code":500}`)
			return
		case Throttle:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", fmt.Sprint(int(d.retry.Seconds())))
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected by faultproxy: slow down","reason":"TooManyRequests","code":429}`)
			return
		case Reset:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					if tc, ok := conn.(*net.TCPConn); ok {
						_ = tc.SetLinger(0) // a reset, not a clean close
					}
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case Delay:
			select {
			case <-time.After(d.delay):
			case <-r.Context().Done():
				return
			}
		}
		if d.watchCut > 0 {
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			timer := time.AfterFunc(d.watchCut, func() {
				p.count(WatchCut)
				cancel()
			})
			defer timer.Stop()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}
