package podexec_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/okt-dev/okt/okt/podexec"
)

func TestFake(t *testing.T) {
	f := &podexec.Fake{
		Containers: map[string][]string{"shop/cache-0": {"memcached"}},
		Run: func(ctx context.Context, req podexec.Request) (podexec.Result, error) {
			switch req.Command[0] {
			case "fail":
				return podexec.Exit(req, 2, "", "no\n")
			case "sleep":
				<-ctx.Done()
				return podexec.Result{}, ctx.Err()
			}
			return podexec.Exit(req, 0, "ok\n", "")
		},
	}
	var e podexec.Executor = f

	req := request("cat")
	req.Stdin = strings.NewReader("input")
	res, err := e.Exec(t.Context(), req)
	if err != nil || string(res.Stdout) != "ok\n" {
		t.Errorf("Exec: %q, %v; want ok", res.Stdout, err)
	}
	_, err = e.Exec(t.Context(), request("fail"))
	if podexec.ExitCode(err) != 2 {
		t.Errorf("Exec fail: got %v, want exit code 2", err)
	}
	req = request("sleep")
	req.Timeout = 50 * time.Millisecond
	if _, err := e.Exec(t.Context(), req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec sleep: got %v, want context.DeadlineExceeded", err)
	}
	req = request("echo")
	req.Container = "exporter"
	var nf *podexec.ContainerNotFoundError
	if _, err := e.Exec(t.Context(), req); !errors.As(err, &nf) {
		t.Errorf("Exec in a missing container: got %v, want *ContainerNotFoundError", err)
	}
	req.Pod = "cache-1"
	if _, err := e.Exec(t.Context(), req); err == nil || !strings.Contains(err.Error(), "pod not found") {
		t.Errorf("Exec in a missing pod: got %v, want pod not found", err)
	}
	if _, err := e.Exec(t.Context(), podexec.Request{}); err == nil {
		t.Error("Exec of an empty request: no error")
	}

	want := []podexec.Call{
		{Request: request("cat"), Stdin: []byte("input")},
		{Request: request("fail")},
		{Request: podexec.Request{Namespace: "shop", Pod: "cache-0", Container: "memcached", Command: []string{"sleep"}, Timeout: 50 * time.Millisecond}},
		{Request: podexec.Request{Namespace: "shop", Pod: "cache-0", Container: "exporter", Command: []string{"echo"}}},
		{Request: podexec.Request{Namespace: "shop", Pod: "cache-1", Container: "exporter", Command: []string{"echo"}}},
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}

	// The zero value answers an empty output.
	if res, err := (&podexec.Fake{}).Exec(t.Context(), request("true")); err != nil || res.Stdout != nil {
		t.Errorf("zero Fake: %+v, %v", res, err)
	}
}
