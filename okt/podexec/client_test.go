package podexec_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/okt-dev/okt/okt/podexec"
)

// modes are the ways a Client reaches the server: WebSocket, SPDY, and
// WebSocket refused then SPDY.
var modes = []struct {
	name         string
	protocol     podexec.Protocol
	spdyOnly     bool
	wantProtocol string
}{
	{"websocket", podexec.ProtocolAuto, false, "websocket/v5.channel.k8s.io"},
	{"spdy", podexec.ProtocolSPDY, false, "spdy/v4.channel.k8s.io"},
	{"fallback to spdy", podexec.ProtocolAuto, true, "spdy/v4.channel.k8s.io"},
}

func newClient(t *testing.T, s *apiServer, protocol podexec.Protocol, opts ...podexec.Option) *podexec.Client {
	t.Helper()
	c, err := podexec.NewClient(s.config(), append([]podexec.Option{podexec.WithProtocol(protocol)}, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func request(command ...string) podexec.Request {
	return podexec.Request{Namespace: "shop", Pod: "cache-0", Container: "memcached", Command: command}
}

func TestExecOutput(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s := newAPIServer(t, m.spdyOnly, pod("shop", "cache-0", "exporter", "memcached"))
			c := newClient(t, s, m.protocol)

			res, err := c.Exec(t.Context(), request("echo", "hello", "world"))
			if err != nil {
				t.Fatalf("Exec echo: %v", err)
			}
			if diff := cmp.Diff(podexec.Result{Stdout: []byte("hello world\n")}, res); diff != "" {
				t.Errorf("echo (-want +got):\n%s", diff)
			}
			res, err = c.Exec(t.Context(), request("warn", "careful"))
			if err != nil {
				t.Fatalf("Exec warn: %v", err)
			}
			if diff := cmp.Diff(podexec.Result{Stderr: []byte("careful\n")}, res); diff != "" {
				t.Errorf("warn (-want +got):\n%s", diff)
			}

			want := []execCall{
				{Namespace: "shop", Pod: "cache-0", Container: "memcached", Command: []string{"echo", "hello", "world"}, Protocol: m.wantProtocol},
				{Namespace: "shop", Pod: "cache-0", Container: "memcached", Command: []string{"warn", "careful"}, Protocol: m.wantProtocol},
			}
			if diff := cmp.Diff(want, s.calls()); diff != "" {
				t.Errorf("server calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecStdin(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s := newAPIServer(t, m.spdyOnly, pod("shop", "cache-0", "memcached"))
			req := request("cat")
			req.Stdin = strings.NewReader("stats\nquit\n")
			res, err := newClient(t, s, m.protocol).Exec(t.Context(), req)
			if err != nil {
				t.Fatalf("Exec cat: %v", err)
			}
			if got := string(res.Stdout); got != "stats\nquit\n" {
				t.Errorf("stdout %q, want the input back", got)
			}
			if calls := s.calls(); len(calls) != 1 || !calls[0].Stdin {
				t.Errorf("server calls %+v, want one with stdin", calls)
			}
		})
	}
}

func TestExecExitCode(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s := newAPIServer(t, m.spdyOnly, pod("shop", "cache-0", "memcached"))
			res, err := newClient(t, s, m.protocol).Exec(t.Context(), request("exit", "3", "--password=hunter2"))
			var ee *podexec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("Exec: got %v, want a *ExitError", err)
			}
			want := &podexec.ExitError{Code: 3, Command: "exit", Namespace: "shop", Pod: "cache-0", Container: "memcached"}
			if diff := cmp.Diff(want, ee); diff != "" {
				t.Errorf("ExitError (-want +got):\n%s", diff)
			}
			if podexec.ExitCode(err) != 3 {
				t.Errorf("ExitCode = %d, want 3", podexec.ExitCode(err))
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q holds the command's arguments", err)
			}
			if diff := cmp.Diff(podexec.Result{Stdout: []byte("bye\n"), Stderr: []byte("failing\n")}, res); diff != "" {
				t.Errorf("output of a failed command (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecMissingContainer(t *testing.T) {
	s := newAPIServer(t, false, pod("shop", "cache-0", "memcached", "exporter"))
	c := newClient(t, s, podexec.ProtocolAuto)
	req := request("echo")
	req.Container = "memcache"
	_, err := c.Exec(t.Context(), req)
	var nf *podexec.ContainerNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("Exec: got %v, want a *ContainerNotFoundError", err)
	}
	if want := `pod shop/cache-0 has no container "memcache" (its containers: memcached, exporter)`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}

	// A missing Pod.
	req = request("echo")
	req.Pod = "cache-9"
	_, err = c.Exec(t.Context(), req)
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "cache-9") {
		t.Errorf("Exec in a missing pod: got %v, want NotFound naming it", err)
	}
	if calls := s.calls(); len(calls) != 0 {
		t.Errorf("the server ran %+v, want nothing", calls)
	}
}

func TestExecTimeout(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s := newAPIServer(t, m.spdyOnly, pod("shop", "cache-0", "memcached"))

			req := request("sleep")
			req.Timeout = 300 * time.Millisecond
			_, err := newClient(t, s, m.protocol).Exec(t.Context(), req)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Exec with a timeout: got %v, want context.DeadlineExceeded", err)
			}
			if podexec.ExitCode(err) != -1 {
				t.Errorf("ExitCode of a timeout = %d, want -1", podexec.ExitCode(err))
			}

			// The client's default timeout, and the caller's context.
			_, err = newClient(t, s, m.protocol, podexec.WithTimeout(300*time.Millisecond)).Exec(t.Context(), request("sleep"))
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Exec with a default timeout: got %v, want context.DeadlineExceeded", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(300*time.Millisecond, cancel)
			_, err = newClient(t, s, m.protocol).Exec(ctx, request("sleep"))
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Exec with a cancelled context: got %v, want context.Canceled", err)
			}
		})
	}
}

func TestExecOutputBound(t *testing.T) {
	s := newAPIServer(t, false, pod("shop", "cache-0", "memcached"))
	c := newClient(t, s, podexec.ProtocolAuto, podexec.WithMaxOutputBytes(1000))
	res, err := c.Exec(t.Context(), request("yes", "1000"))
	if err != nil || len(res.Stdout) != 1000 {
		t.Fatalf("Exec within the bound: %d bytes, %v", len(res.Stdout), err)
	}
	res, err = c.Exec(t.Context(), request("yes", "5000"))
	if err == nil || !strings.Contains(err.Error(), "output too large") {
		t.Errorf("Exec beyond the bound: got %v, want output too large", err)
	}
	if len(res.Stdout) > 1000 {
		t.Errorf("kept %d bytes, want at most 1000", len(res.Stdout))
	}
}

func TestInvalidRequests(t *testing.T) {
	s := newAPIServer(t, false, pod("shop", "cache-0", "memcached"))
	c := newClient(t, s, podexec.ProtocolAuto)
	for _, req := range []podexec.Request{
		{Pod: "cache-0", Container: "memcached", Command: []string{"echo"}},
		{Namespace: "shop", Container: "memcached", Command: []string{"echo"}},
		{Namespace: "shop", Pod: "cache-0", Command: []string{"echo"}},
		{Namespace: "shop", Pod: "cache-0", Container: "memcached"},
		{Namespace: "shop", Pod: "cache-0", Container: "memcached", Command: []string{"echo"}, Timeout: -time.Second},
	} {
		if _, err := c.Exec(t.Context(), req); err == nil || !strings.HasPrefix(err.Error(), "invalid exec request") {
			t.Errorf("Exec(%+v): got %v, want an invalid request", req, err)
		}
	}
	if _, err := podexec.NewClient(s.config(), podexec.WithProtocol("quic")); err == nil {
		t.Error("NewClient with an unknown protocol: no error")
	}
	if _, err := podexec.NewClient(nil); err == nil {
		t.Error("NewClient(nil): no error")
	}
}
