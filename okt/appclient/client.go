package appclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// DefaultTimeout bounds each attempt of a call unless WithTimeout says
	// otherwise.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseBytes bounds the body of an answer unless
	// WithMaxResponseBytes says otherwise.
	DefaultMaxResponseBytes = 10 << 20
)

// Client calls the HTTP API of one application, at a base URL. It is safe for
// concurrent use; build it once (New) and keep it.
type Client struct {
	base     *url.URL
	http     *http.Client
	timeout  time.Duration
	retry    Retry
	header   http.Header
	maxBytes int64
	sleep    func(ctx context.Context, d time.Duration) error
}

// Request is one call. The zero value of each field but Method and Path is
// valid.
type Request struct {
	// Method is the HTTP method, GET if empty.
	Method string
	// Path is resolved against the client's base URL: "/health" under
	// "https://app.ns.svc:8443/api" is "https://app.ns.svc:8443/api/health". It
	// may carry a query string. An absolute URL is refused.
	Path string
	// Header is added to the client's headers (WithHeader) for this call.
	Header http.Header
	// Body is sent as is, and again on each retry. Nil sends no body.
	Body []byte
	// Idempotent marks a POST or PATCH as safe to retry (it carries an
	// idempotency key, say). GET, HEAD, OPTIONS, TRACE, PUT and DELETE are
	// always treated as idempotent.
	Idempotent bool
}

// Response is an answer, its body read whole.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// New returns a Client whose calls are resolved against baseURL (http or
// https, such as ServiceURL gives). It fails on an invalid URL or option (a
// CA that is not PEM, a missing file, a key that does not match its
// certificate).
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid base URL: %w", err)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("invalid base URL %q: scheme must be http or https", redact(base))
	}
	if base.Host == "" {
		return nil, fmt.Errorf("invalid base URL %q: no host", redact(base))
	}
	o := options{
		timeout:  DefaultTimeout,
		maxBytes: DefaultMaxResponseBytes,
		header:   http.Header{},
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	tlsConfig := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		ServerName:   o.serverName,
		Certificates: o.certificates,
	}
	if len(o.caPEM) > 0 {
		pool := x509.NewCertPool()
		for _, pem := range o.caPEM {
			if !pool.AppendCertsFromPEM(pem) {
				return nil, errors.New("invalid CA: no PEM certificate found")
			}
		}
		tlsConfig.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	return &Client{
		base:     base,
		http:     &http.Client{Transport: transport},
		timeout:  o.timeout,
		retry:    o.retry.withDefaults(),
		header:   o.header,
		maxBytes: o.maxBytes,
		sleep:    sleepContext,
	}, nil
}

// ServiceURL is the address of a Service inside the cluster:
// scheme://name.namespace.svc:port. It relies on the cluster's DNS search
// path, whatever the cluster domain.
func ServiceURL(scheme, name, namespace string, port int32) string {
	return fmt.Sprintf("%s://%s.%s.svc:%d", scheme, name, namespace, port)
}

// CloseIdleConnections closes the client's idle connections: call it when
// dropping a Client (its custom resource deleted, say).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// BaseURL is the URL calls are resolved against.
func (c *Client) BaseURL() string { return c.base.String() }

// Do sends the request, with retries as the package documentation says, and
// returns the answer. An answer outside 2xx returns both the Response and a
// *StatusError; any other error returns a nil Response. The error wraps the
// caller's context error when the context ended, and
// context.DeadlineExceeded when the last attempt timed out.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	target, err := c.resolve(req.Path)
	if err != nil {
		return nil, err
	}
	retryable := req.Idempotent || idempotent(method)
	attempts := 1
	if retryable {
		attempts = c.retry.Attempts
	}
	var lastErr error
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, method, target, req)
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		var wait time.Duration
		var retry bool
		if err != nil {
			lastErr = fmt.Errorf("%s %s: %w", method, redact(target), err)
			resp = nil
			retry = ctx.Err() == nil && retryableError(err)
		} else {
			lastErr = newStatusError(method, target, resp)
			retry = retryableStatus(resp.StatusCode)
			if after, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && retry {
				if after > c.retry.MaxRetryAfter {
					retry = false
				} else {
					wait = after
				}
			}
		}
		if !retry || attempt >= attempts {
			if attempt > 1 {
				lastErr = fmt.Errorf("after %d attempts: %w", attempt, lastErr)
			}
			return resp, lastErr
		}
		if wait == 0 {
			wait = c.retry.backoff(attempt)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w; gave up waiting to retry: %w", lastErr, err)
		}
	}
}

// once makes one attempt, bounded by the client's timeout.
func (c *Client) once(ctx context.Context, method string, target *url.URL, req Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, target.String(), body)
	if err != nil {
		return nil, errors.New("cannot build request")
	}
	for k, vs := range c.header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range req.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	hresp, err := c.http.Do(hreq)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, c.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read answer: %w", err)
	}
	if int64(len(data)) > c.maxBytes {
		return nil, &tooLargeError{limit: c.maxBytes}
	}
	return &Response{StatusCode: hresp.StatusCode, Header: hresp.Header, Body: data}, nil
}

// Get sends a GET.
func (c *Client) Get(ctx context.Context, path string) (*Response, error) {
	return c.Do(ctx, Request{Method: http.MethodGet, Path: path})
}

// Delete sends a DELETE and discards the answer's body.
func (c *Client) Delete(ctx context.Context, path string) error {
	_, err := c.Do(ctx, Request{Method: http.MethodDelete, Path: path})
	return err
}

// GetJSON sends a GET accepting JSON and decodes the answer into out (a
// pointer; nil discards the answer). An empty answer leaves out as it was.
func (c *Client) GetJSON(ctx context.Context, path string, out any) error {
	return c.doJSON(ctx, http.MethodGet, path, nil, out)
}

// PostJSON sends in encoded as JSON with a POST (never retried) and decodes
// the answer into out (a pointer; nil discards the answer).
func (c *Client) PostJSON(ctx context.Context, path string, in, out any) error {
	return c.doJSON(ctx, http.MethodPost, path, in, out)
}

// PutJSON sends in encoded as JSON with a PUT and decodes the answer into out
// (a pointer; nil discards the answer).
func (c *Client) PutJSON(ctx context.Context, path string, in, out any) error {
	return c.doJSON(ctx, http.MethodPut, path, in, out)
}

func (c *Client) doJSON(ctx context.Context, method, path string, in, out any) error {
	req := Request{Method: method, Path: path, Header: http.Header{"Accept": {"application/json"}}}
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("cannot encode the body of a %s as JSON: %w", method, err)
		}
		req.Body = body
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(ctx, req)
	if err != nil {
		return err
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		// The body stays out of the error: it may hold secrets.
		target, _ := c.resolve(path)
		return fmt.Errorf("cannot decode the answer to %s %s as JSON: %w", method, redact(target), jsonError(err))
	}
	return nil
}

// resolve joins path to the base URL.
func (c *Client) resolve(path string) (*url.URL, error) {
	ref, err := url.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("invalid path %q: %w", path, err)
	}
	if ref.Scheme != "" || ref.Host != "" || ref.User != nil {
		return nil, fmt.Errorf("invalid path: an absolute URL is refused, give a path under %s", redact(c.base))
	}
	u := c.base.JoinPath(ref.Path)
	u.RawQuery = ref.RawQuery
	return u, nil
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

func retryableStatus(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

// retryableError tells whether a transport error may go away: everything but
// certificate errors, TLS alerts (the server refused the handshake, for want
// of a client certificate, say), a server that does not speak TLS and a too
// large answer.
func retryableError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	var alert tls.AlertError
	var op *net.OpError
	var tooLarge *tooLargeError
	switch {
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostname),
		errors.As(err, &invalid), errors.As(err, &header), errors.As(err, &alert), errors.As(err, &tooLarge):
		return false
	case errors.As(err, &op) && op.Op == "remote error":
		// crypto/tls reports a TLS alert from the server so.
		return false
	}
	return true
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(value, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int64(365*24*time.Hour/time.Second) {
			s = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(value); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// unwrapURLError drops net/http's *url.Error, whose message holds the full
// URL (query included); the caller names the redacted URL instead.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// jsonError keeps the kind and place of a JSON error, never the data.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("syntax error at offset %d", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("cannot decode a JSON %s into field %q of type %s", typ.Value, typ.Field, typ.Type)
	}
	return errors.New("invalid JSON")
}

// redact is a URL for errors: no user information, no query, no fragment.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	c.RawFragment = ""
	return c.String()
}

type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("answer body larger than %d bytes", e.limit)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jitter is a random duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
