package appclient

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
)

// Option configures a Client (New).
type Option func(*options) error

type options struct {
	timeout      time.Duration
	retry        Retry
	header       http.Header
	maxBytes     int64
	caPEM        [][]byte
	certificates []tls.Certificate
	serverName   string
}

// Retry bounds the retries of idempotent calls. The zero value of each field
// takes its default.
type Retry struct {
	// Attempts is the number of tries, the first included. Defaults to 3; 1
	// disables retries.
	Attempts int
	// Backoff is the wait before the first retry, doubled before each next
	// one, with jitter (between half of it and all of it). Defaults to 200 ms.
	Backoff time.Duration
	// MaxBackoff caps the wait between two tries. Defaults to 5 s.
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured: an answer asking to
	// wait longer is not retried. Defaults to 30 s.
	MaxRetryAfter time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 3
	}
	if r.Backoff <= 0 {
		r.Backoff = 200 * time.Millisecond
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 5 * time.Second
	}
	if r.MaxBackoff < r.Backoff {
		r.MaxBackoff = r.Backoff
	}
	if r.MaxRetryAfter <= 0 {
		r.MaxRetryAfter = 30 * time.Second
	}
	return r
}

// backoff is the wait before try attempt+1.
func (r Retry) backoff(attempt int) time.Duration {
	d := r.Backoff
	for i := 1; i < attempt && d < r.MaxBackoff; i++ {
		d *= 2
	}
	return jitter(min(d, r.MaxBackoff))
}

// WithTimeout bounds each attempt of a call. Defaults to DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("invalid timeout %s: must be positive", d)
		}
		o.timeout = d
		return nil
	}
}

// WithRetry sets the retries of idempotent calls.
func WithRetry(r Retry) Option {
	return func(o *options) error {
		o.retry = r
		return nil
	}
}

// WithHeader adds a header to every request, such as Authorization. Headers
// never appear in errors.
func WithHeader(key, value string) Option {
	return func(o *options) error {
		o.header.Add(key, value)
		return nil
	}
}

// WithMaxResponseBytes bounds the body of an answer. Defaults to
// DefaultMaxResponseBytes.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("invalid maximum response size %d: must be positive", n)
		}
		o.maxBytes = n
		return nil
	}
}

// WithCA trusts the CA certificates in pemCerts (PEM) to verify the server,
// instead of the system's roots. Several WithCA and WithCAFile add up.
func WithCA(pemCerts []byte) Option {
	return func(o *options) error {
		if len(pemCerts) == 0 {
			return errors.New("invalid CA: empty")
		}
		o.caPEM = append(o.caPEM, pemCerts)
		return nil
	}
}

// WithCAFile is WithCA with the certificates read from a PEM file (a mounted
// Secret's ca.crt, say), once, by New.
func WithCAFile(path string) Option {
	return func(o *options) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("cannot read CA: %w", err)
		}
		return WithCA(data)(o)
	}
}

// WithClientCertificate presents a client certificate (certPEM, with its
// chain) and its private key (keyPEM) to servers that ask for one.
func WithClientCertificate(certPEM, keyPEM []byte) Option {
	return func(o *options) error {
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return fmt.Errorf("invalid client certificate: %w", err)
		}
		o.certificates = append(o.certificates, cert)
		return nil
	}
}

// WithClientCertificateFiles is WithClientCertificate with PEM files (a
// mounted Secret's tls.crt and tls.key, say), read once, by New.
func WithClientCertificateFiles(certFile, keyFile string) Option {
	return func(o *options) error {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return fmt.Errorf("invalid client certificate: %w", err)
		}
		o.certificates = append(o.certificates, cert)
		return nil
	}
}

// WithServerName verifies the server's certificate against name rather than
// the base URL's host, and sends it as SNI.
func WithServerName(name string) Option {
	return func(o *options) error {
		o.serverName = name
		return nil
	}
}
