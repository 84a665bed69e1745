package appclient_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/okt-dev/okt/okt/appclient"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "okt test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a certificate for the DNS names and IPs given, usable by
// servers and clients; it returns it and its key in PEM.
func (ca *testCA) issue(t *testing.T, cn string, dnsNames []string, ips []net.IP) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

// tlsServer starts a TLS server with a certificate from ca for the names
// given; configure may change its TLS configuration before it starts.
func tlsServer(t *testing.T, ca *testCA, dnsNames []string, ips []net.IP, h http.Handler, configure func(*tls.Config)) *httptest.Server {
	t.Helper()
	certPEM, keyPEM := ca.issue(t, "server", dnsNames, ips)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	if configure != nil {
		configure(srv.TLS)
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

var loopback = []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"status":"up"}`) }

func newClient(t *testing.T, base string, opts ...appclient.Option) *appclient.Client {
	t.Helper()
	c, err := appclient.New(base, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	return errors.As(err, &verify)
}

func TestTrustedCertificate(t *testing.T) {
	ca := newCA(t)
	srv := tlsServer(t, ca, nil, loopback, http.HandlerFunc(ok), nil)

	c := newClient(t, srv.URL, appclient.WithCA(ca.certPEM))
	var got struct{ Status string }
	if err := c.GetJSON(t.Context(), "/health", &got); err != nil {
		t.Fatalf("GetJSON with the server's CA: %v", err)
	}
	if got.Status != "up" {
		t.Errorf("status = %q, want up", got.Status)
	}

	// The same CA from a file.
	path := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(path, ca.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c = newClient(t, srv.URL, appclient.WithCAFile(path))
	if _, err := c.Get(t.Context(), "/health"); err != nil {
		t.Fatalf("Get with the CA from a file: %v", err)
	}

	// Another CA is not trusted, and a certificate error is not retried.
	var hits atomic.Int32
	srv2 := tlsServer(t, ca, nil, loopback, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		ok(w, r)
	}), nil)
	c = newClient(t, srv2.URL, appclient.WithCA(newCA(t).certPEM))
	_, err := c.Get(t.Context(), "/health")
	if !isCertificateError(err) {
		t.Fatalf("Get with another CA: got %v, want a certificate verification error", err)
	}
	if strings.Contains(err.Error(), "attempts") || hits.Load() != 0 {
		t.Errorf("a certificate error was retried (or reached the handler): %v", err)
	}
}

func TestSelfSignedRefusedUnlessItsCAIsGiven(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(ok))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()

	_, err := newClient(t, srv.URL).Get(t.Context(), "/health")
	if !isCertificateError(err) {
		t.Fatalf("Get without CA: got %v, want a certificate verification error", err)
	}

	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if _, err := newClient(t, srv.URL, appclient.WithCA(caPEM)).Get(t.Context(), "/health"); err != nil {
		t.Fatalf("Get with the server's certificate as CA: %v", err)
	}
}

func TestServerName(t *testing.T) {
	ca := newCA(t)
	// The certificate names the Service, not the address dialled.
	srv := tlsServer(t, ca, []string{"app.shop.svc"}, nil, http.HandlerFunc(ok), nil)

	_, err := newClient(t, srv.URL, appclient.WithCA(ca.certPEM)).Get(t.Context(), "/")
	if !isCertificateError(err) {
		t.Fatalf("Get without server name: got %v, want a certificate verification error", err)
	}
	c := newClient(t, srv.URL, appclient.WithCA(ca.certPEM), appclient.WithServerName("app.shop.svc"))
	if _, err := c.Get(t.Context(), "/"); err != nil {
		t.Fatalf("Get with server name: %v", err)
	}
}

func TestClientCertificate(t *testing.T) {
	ca := newCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := tlsServer(t, ca, nil, loopback, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}), func(c *tls.Config) {
		c.ClientAuth = tls.RequireAndVerifyClientCert
		c.ClientCAs = pool
	})

	_, err := newClient(t, srv.URL, appclient.WithCA(ca.certPEM)).Get(t.Context(), "/")
	if err == nil || strings.Contains(err.Error(), "attempts") {
		t.Fatalf("Get without client certificate: got %v, want the server's refusal, not retried", err)
	}

	certPEM, keyPEM := ca.issue(t, "operator", nil, nil)
	c := newClient(t, srv.URL, appclient.WithCA(ca.certPEM), appclient.WithClientCertificate(certPEM, keyPEM))
	resp, err := c.Get(t.Context(), "/")
	if err != nil {
		t.Fatalf("Get with client certificate: %v", err)
	}
	if string(resp.Body) != "operator" {
		t.Errorf("server saw client %q, want operator", resp.Body)
	}

	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	c = newClient(t, srv.URL, appclient.WithCA(ca.certPEM), appclient.WithClientCertificateFiles(certFile, keyFile))
	if _, err := c.Get(t.Context(), "/"); err != nil {
		t.Fatalf("Get with client certificate files: %v", err)
	}
}

// slowServer answers after its request ends (client gone) or after a long
// time.
func slowServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTimeout(t *testing.T) {
	var hits atomic.Int32
	srv := slowServer(t, &hits)

	c := newClient(t, srv.URL, appclient.WithTimeout(100*time.Millisecond), appclient.WithRetry(appclient.Retry{Attempts: 1}))
	_, err := c.Get(t.Context(), "/slow")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get: got %v, want context.DeadlineExceeded", err)
	}
	if hits.Load() != 1 {
		t.Errorf("server hit %d times, want 1", hits.Load())
	}

	// A GET that times out is retried, within the bound.
	hits.Store(0)
	c = newClient(t, srv.URL, appclient.WithTimeout(100*time.Millisecond),
		appclient.WithRetry(appclient.Retry{Attempts: 2, Backoff: time.Millisecond}))
	if _, err := c.Get(t.Context(), "/slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get with retries: got %v, want context.DeadlineExceeded", err)
	}
	if hits.Load() != 2 {
		t.Errorf("server hit %d times, want 2", hits.Load())
	}

	// The caller's context bounds the call too.
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := newClient(t, srv.URL).Get(ctx, "/slow"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get with a context deadline: got %v, want context.DeadlineExceeded", err)
	}
}

// flaky answers 503 to the first failures hits, then 200.
func flaky(t *testing.T, failures int32, retryAfter string) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= failures {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"done":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestRetries(t *testing.T) {
	fast := appclient.WithRetry(appclient.Retry{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	tests := []struct {
		name       string
		failures   int32
		retryAfter string
		call       func(c *appclient.Client) error
		wantHits   int32
		wantStatus int // 0: success
	}{
		{
			name: "GET retried until it succeeds", failures: 2, wantHits: 3,
			call: func(c *appclient.Client) error { return c.GetJSON(t.Context(), "/", nil) },
		},
		{
			name: "GET retried up to the bound", failures: 10, wantHits: 3, wantStatus: 503,
			call: func(c *appclient.Client) error { return c.GetJSON(t.Context(), "/", nil) },
		},
		{
			name: "PUT retried", failures: 1, wantHits: 2,
			call: func(c *appclient.Client) error { return c.PutJSON(t.Context(), "/", map[string]int{"a": 1}, nil) },
		},
		{
			name: "POST never retried", failures: 1, wantHits: 1, wantStatus: 503,
			call: func(c *appclient.Client) error { return c.PostJSON(t.Context(), "/", map[string]int{"a": 1}, nil) },
		},
		{
			name: "POST marked idempotent retried", failures: 1, wantHits: 2,
			call: func(c *appclient.Client) error {
				_, err := c.Do(t.Context(), appclient.Request{Method: http.MethodPost, Path: "/", Body: []byte("{}"), Idempotent: true})
				return err
			},
		},
		{
			name: "short Retry-After honoured", failures: 1, retryAfter: "0", wantHits: 2,
			call: func(c *appclient.Client) error { return c.GetJSON(t.Context(), "/", nil) },
		},
		{
			name: "Retry-After beyond the cap not retried", failures: 1, retryAfter: "3600", wantHits: 1, wantStatus: 503,
			call: func(c *appclient.Client) error { return c.GetJSON(t.Context(), "/", nil) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := flaky(t, tt.failures, tt.retryAfter)
			err := tt.call(newClient(t, srv.URL, fast))
			if got := appclient.StatusCode(err); got != tt.wantStatus || (tt.wantStatus == 0) != (err == nil) {
				t.Errorf("error %v (status %d), want status %d", err, got, tt.wantStatus)
			}
			if tt.wantStatus == 503 && !appclient.IsUnavailable(err) {
				t.Errorf("IsUnavailable(%v) = false", err)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hit %d times, want %d", got, tt.wantHits)
			}
		})
	}
}

func TestRetriesConnectionErrors(t *testing.T) {
	// A port nothing listens on: connection refused, retried for a GET.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := newClient(t, "http://"+addr, appclient.WithRetry(appclient.Retry{Attempts: 2, Backoff: time.Millisecond}))
	_, err = c.Get(t.Context(), "/")
	if err == nil || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Errorf("Get: got %v, want an error after 2 attempts", err)
	}
	_, err = c.Do(t.Context(), appclient.Request{Method: http.MethodPost, Path: "/"})
	if err == nil || strings.Contains(err.Error(), "attempts") {
		t.Errorf("POST: got %v, want an error after one attempt", err)
	}
}

func TestStatusError(t *testing.T) {
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/api/missing":
			http.Error(w, `no such user`, http.StatusNotFound)
		case "/api/conflict":
			http.Error(w, strings.Repeat("é", 1000), http.StatusConflict)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api", appclient.WithHeader("Authorization", "Bearer s3cr3t-token"))

	resp, err := c.Do(t.Context(), appclient.Request{Method: http.MethodPut, Path: "/missing?token=q5ery", Body: []byte(`{"password":"hunter2"}`)})
	var se *appclient.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("Do: got %v, want a *StatusError", err)
	}
	want := &appclient.StatusError{Method: "PUT", URL: srv.URL + "/api/missing", StatusCode: 404, Body: "no such user\n"}
	if diff := cmp.Diff(want, se); diff != "" {
		t.Errorf("StatusError (-want +got):\n%s", diff)
	}
	if !appclient.IsNotFound(err) || appclient.IsConflict(err) || appclient.IsUnavailable(err) {
		t.Errorf("IsNotFound, IsConflict, IsUnavailable of %v: want true, false, false", err)
	}
	if resp == nil || resp.StatusCode != 404 {
		t.Errorf("Do returned response %+v, want the 404 answer", resp)
	}
	if gotAuth != "Bearer s3cr3t-token" {
		t.Errorf("server saw Authorization %q", gotAuth)
	}
	for _, secret := range []string{"s3cr3t", "hunter2", "q5ery"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q", err, secret)
		}
	}
	if wantMsg := "PUT " + srv.URL + "/api/missing: 404 Not Found: no such user"; err.Error() != wantMsg {
		t.Errorf("error = %q, want %q", err, wantMsg)
	}

	// The body excerpt is bounded, cut on a character boundary.
	err = c.GetJSON(t.Context(), "/conflict", nil)
	if !errors.As(err, &se) || !appclient.IsConflict(err) {
		t.Fatalf("GetJSON: got %v, want a 409 *StatusError", err)
	}
	if len(se.Body) > appclient.MaxBodyExcerpt || len(se.Body) < appclient.MaxBodyExcerpt-1 || !strings.HasPrefix(se.Body, "éé") {
		t.Errorf("body excerpt of %d bytes, want about %d of é", len(se.Body), appclient.MaxBodyExcerpt)
	}
}

func TestJSON(t *testing.T) {
	type item struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "application/json" {
			http.Error(w, "want JSON", http.StatusNotAcceptable)
			return
		}
		switch r.Method {
		case http.MethodPost:
			if r.Header.Get("Content-Type") != "application/json" {
				http.Error(w, "want JSON", http.StatusUnsupportedMediaType)
				return
			}
			var in item
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			in.Count++
			_ = json.NewEncoder(w).Encode(in)
		case http.MethodGet:
			if r.URL.Query().Get("broken") != "" {
				_, _ = io.WriteString(w, `{"name": secret`)
				return
			}
			_, _ = io.WriteString(w, `{"name":"cache","count":2}`)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)

	var got item
	if err := c.GetJSON(t.Context(), "/items/cache", &got); err != nil {
		t.Fatalf("GetJSON: %v", err)
	}
	if diff := cmp.Diff(item{Name: "cache", Count: 2}, got); diff != "" {
		t.Errorf("GetJSON (-want +got):\n%s", diff)
	}
	if err := c.PostJSON(t.Context(), "/items", item{Name: "db", Count: 1}, &got); err != nil {
		t.Fatalf("PostJSON: %v", err)
	}
	if diff := cmp.Diff(item{Name: "db", Count: 2}, got); diff != "" {
		t.Errorf("PostJSON (-want +got):\n%s", diff)
	}
	err := c.GetJSON(t.Context(), "/items/x?broken=1", &got)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("GetJSON of invalid JSON: got %v, want an error without the body", err)
	}
}

func TestNewAndPaths(t *testing.T) {
	for _, base := range []string{"", "ftp://x", "app.ns.svc:80", "http://"} {
		if _, err := appclient.New(base); err == nil {
			t.Errorf("New(%q): no error", base)
		}
	}
	if _, err := appclient.New("https://a", appclient.WithCA([]byte("not PEM"))); err == nil {
		t.Error("New with a CA that is not PEM: no error")
	}
	if _, err := appclient.New("https://a", appclient.WithClientCertificate([]byte("x"), []byte("y"))); err == nil {
		t.Error("New with an invalid client certificate: no error")
	}
	if _, err := appclient.New("https://a", appclient.WithCAFile(filepath.Join(t.TempDir(), "none"))); err == nil {
		t.Error("New with a missing CA file: no error")
	}

	var gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gotPath = r.URL.RequestURI() }))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api/")
	if _, err := c.Get(t.Context(), "v1/status?verbose=1"); err != nil {
		t.Fatal(err)
	}
	if gotPath != "/api/v1/status?verbose=1" {
		t.Errorf("server saw %q, want /api/v1/status?verbose=1", gotPath)
	}
	if _, err := c.Get(t.Context(), "http://elsewhere/"); err == nil {
		t.Error("Get of an absolute URL: no error")
	}
}

func TestServiceURL(t *testing.T) {
	if got, want := appclient.ServiceURL("https", "cache", "shop", 8443), "https://cache.shop.svc:8443"; got != want {
		t.Errorf("ServiceURL = %q, want %q", got, want)
	}
}
