package podexec

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
	"k8s.io/streaming/pkg/httpstream"
)

// Protocol is the streaming protocol of a Client.
type Protocol string

const (
	// ProtocolAuto tries WebSocket and falls back to SPDY when the API server
	// does not upgrade the WebSocket request, as kubectl does.
	ProtocolAuto Protocol = ""
	// ProtocolWebSocket uses WebSocket only (v5.channel.k8s.io, Kubernetes
	// 1.30 and later).
	ProtocolWebSocket Protocol = "websocket"
	// ProtocolSPDY uses SPDY only (deprecated by Kubernetes, still served).
	ProtocolSPDY Protocol = "spdy"
)

// Client is the Executor on the API server's exec subresource of Pods. It is
// safe for concurrent use. Its identity (the *rest.Config) needs get on pods
// and create on pods/exec:
//
//	// +kubebuilder:rbac:groups="",resources=pods,verbs=get
//	// +kubebuilder:rbac:groups="",resources=pods/exec,verbs=create
type Client struct {
	config    *rest.Config
	core      corev1client.CoreV1Interface
	timeout   time.Duration
	maxOutput int
	protocol  Protocol
}

var _ Executor = (*Client)(nil)

// Option configures a Client (NewClient).
type Option func(*Client) error

// WithTimeout bounds calls whose Request has no Timeout. Defaults to
// DefaultTimeout.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("invalid timeout %s: must be positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxOutputBytes bounds the standard output and the standard error of a
// command, each. Defaults to MaxOutputBytes.
func WithMaxOutputBytes(n int) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("invalid output bound %d: must be positive", n)
		}
		c.maxOutput = n
		return nil
	}
}

// WithProtocol chooses the streaming protocol. Defaults to ProtocolAuto.
func WithProtocol(p Protocol) Option {
	return func(c *Client) error {
		switch p {
		case ProtocolAuto, ProtocolWebSocket, ProtocolSPDY:
			c.protocol = p
			return nil
		}
		return fmt.Errorf("unknown exec protocol %q", p)
	}
}

// NewClient returns a Client that reaches the API server with cfg (a
// manager's GetConfig(), say).
func NewClient(cfg *rest.Config, opts ...Option) (*Client, error) {
	if cfg == nil {
		return nil, errors.New("no rest config")
	}
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot build a client of the core API: %w", err)
	}
	c := &Client{config: rest.CopyConfig(cfg), core: core, timeout: DefaultTimeout, maxOutput: MaxOutputBytes}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Exec implements Executor.
func (c *Client) Exec(ctx context.Context, req Request) (Result, error) {
	if err := req.Validate(); err != nil {
		return Result{}, err
	}
	timeout := timeoutOf(req, c.timeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	pod, err := c.core.Pods(req.Namespace).Get(ctx, req.Pod, metav1.GetOptions{})
	if err != nil {
		return Result{}, c.failed(ctx, req, timeout, fmt.Errorf("cannot get pod: %w", err))
	}
	if names, ok := containerNames(pod, req.Container); !ok {
		return Result{}, &ContainerNotFoundError{Namespace: req.Namespace, Pod: req.Pod, Container: req.Container, Containers: names}
	}

	u := c.core.RESTClient().Post().
		Namespace(req.Namespace).Resource("pods").Name(req.Pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: req.Container,
			Command:   req.Command,
			Stdin:     req.Stdin != nil,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec).URL()
	executor, err := c.executor(u)
	if err != nil {
		return Result{}, c.failed(ctx, req, timeout, err)
	}
	stdout := &limitedBuffer{max: c.maxOutput}
	stderr := &limitedBuffer{max: c.maxOutput}
	err = executor.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: req.Stdin, Stdout: stdout, Stderr: stderr})

	var res Result
	var outOverflow, errOverflow bool
	res.Stdout, outOverflow = stdout.bytes()
	res.Stderr, errOverflow = stderr.bytes()
	if outOverflow || errOverflow {
		return res, fmt.Errorf("cannot exec %s: %w: more than %d bytes", req.where(), errOutputTooLarge, c.maxOutput)
	}
	var code exec.ExitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &code) && code.Exited():
		return res, &ExitError{Code: code.ExitStatus(), Command: req.Command[0], Namespace: req.Namespace, Pod: req.Pod, Container: req.Container}
	}
	return res, c.failed(ctx, req, timeout, err)
}

// failed wraps err for the request, or the context's error when it ended.
func (c *Client) failed(ctx context.Context, req Request, timeout time.Duration, err error) error {
	switch ctx.Err() {
	case nil:
		return fmt.Errorf("cannot exec %s: %w", req.where(), err)
	case context.DeadlineExceeded:
		return fmt.Errorf("cannot exec %s: timed out (timeout %s, or the caller's deadline): %w", req.where(), timeout, context.DeadlineExceeded)
	default:
		return fmt.Errorf("cannot exec %s: %w", req.where(), ctx.Err())
	}
}

// executor streams with the client's protocol; as kubectl, it sends a GET for
// WebSocket and a POST for SPDY.
func (c *Client) executor(u *url.URL) (remotecommand.Executor, error) {
	switch c.protocol {
	case ProtocolSPDY:
		return remotecommand.NewSPDYExecutor(c.config, "POST", u)
	case ProtocolWebSocket:
		return remotecommand.NewWebSocketExecutor(c.config, "GET", u.String())
	}
	ws, err := remotecommand.NewWebSocketExecutor(c.config, "GET", u.String())
	if err != nil {
		return nil, err
	}
	s, err := remotecommand.NewSPDYExecutor(c.config, "POST", u)
	if err != nil {
		return nil, err
	}
	return remotecommand.NewFallbackExecutor(ws, s, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
}

// containerNames lists the Pod's containers, init and ephemeral ones
// included, and tells whether name is one of them.
func containerNames(pod *corev1.Pod, name string) ([]string, bool) {
	var names []string
	found := false
	add := func(n string) {
		names = append(names, n)
		found = found || n == name
	}
	for _, c := range pod.Spec.Containers {
		add(c.Name)
	}
	for _, c := range pod.Spec.InitContainers {
		add(c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		add(c.Name)
	}
	return names, found
}
