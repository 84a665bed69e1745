// Package appclient calls the HTTP API of the application an operator
// manages: health checks, admin endpoints, configuration reloads.
//
// A Client is built once with New and functional options, and is safe for
// concurrent use. Every call takes a context and is bounded:
//
//   - Timeout: each attempt has its own deadline, 10 s unless WithTimeout says
//     otherwise; the caller's context bounds the whole call, retries included.
//   - TLS is verified by default, against the system's roots. WithCA and
//     WithCAFile trust the application's own CA instead (only the given CAs
//     are trusted then), WithClientCertificate and WithClientCertificateFiles
//     present a client certificate, WithServerName checks the server's
//     certificate against another name than the URL's host (when calling a Pod
//     by IP, say). Certificate errors are never retried.
//   - Retries: a call whose method is idempotent (GET, HEAD, OPTIONS, TRACE,
//     PUT, DELETE; RFC 9110 section 9.2.2) is tried again after a connection
//     error, a per-attempt timeout, or an answer 502, 503 or 504, up to
//     Retry.Attempts tries in all (3 by default), with exponential backoff and
//     jitter. A Retry-After header is honoured when it asks for no more than
//     Retry.MaxRetryAfter (30 s by default); when it asks for more, the call
//     gives up at once with the answer's error. POST and PATCH are never
//     retried unless the Request says it is Idempotent (an idempotency key,
//     say).
//   - Errors: an answer outside 2xx is a *StatusError carrying the method,
//     the URL, the status code and a bounded excerpt of the answer's body; use
//     errors.As, or IsNotFound, IsConflict, IsUnavailable and StatusCode.
//     Errors never carry request bodies nor request headers (Authorization
//     set with WithHeader stays out of them), and URLs in errors carry neither
//     user information nor query strings.
//   - Response bodies are read whole, up to WithMaxResponseBytes (10 MiB by
//     default): a larger answer is an error.
//
// Inside the cluster, the application is usually reached through a Service of
// the custom resource: ServiceURL gives its address by name, namespace and
// port (https://name.namespace.svc:port), and the Service's certificate
// usually names that host:
//
//	c, err := appclient.New(appclient.ServiceURL("https", cr.Name, cr.Namespace, 8443),
//		appclient.WithCA(caPEM))
//	if err != nil { ... }
//	var health struct{ Status string }
//	if err := c.GetJSON(ctx, "/health", &health); appclient.IsUnavailable(err) { ... }
//
// Operators test code that uses a Client against net/http/httptest servers,
// TLS included (httptest.NewTLSServer and WithCA of its certificate).
package appclient
