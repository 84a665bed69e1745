package podexec_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/client-go/rest"

	"github.com/okt-dev/okt/okt/podexec"
)

// flushCache is operator code: it depends on the Executor interface only.
func flushCache(ctx context.Context, e podexec.Executor, namespace, pod string) error {
	res, err := e.Exec(ctx, podexec.Request{
		Namespace: namespace,
		Pod:       pod,
		Container: "memcached",
		Command:   []string{"sh", "-c", "nc localhost 11211"},
		Stdin:     strings.NewReader("flush_all\nquit\n"),
		Timeout:   10 * time.Second,
	})
	var exit *podexec.ExitError
	switch {
	case errors.As(err, &exit):
		return fmt.Errorf("flush failed with code %d: %s", exit.Code, res.Stderr)
	case err != nil:
		return err
	}
	if strings.TrimSpace(string(res.Stdout)) != "OK" {
		return fmt.Errorf("flush answered %q", res.Stdout)
	}
	return nil
}

// In an operator, the Executor is a Client on the manager's configuration
// (mgr.GetConfig()).
func ExampleNewClient() {
	var cfg *rest.Config // mgr.GetConfig()
	exec, err := podexec.NewClient(cfg, podexec.WithTimeout(30*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = flushCache(context.Background(), exec, "shop", "cache-0")
}

// In the operator's tests, a Fake answers instead.
func ExampleFake() {
	fake := &podexec.Fake{
		Run: func(ctx context.Context, req podexec.Request) (podexec.Result, error) {
			return podexec.Exit(req, 0, "OK\n", "")
		},
	}
	fmt.Println(flushCache(context.Background(), fake, "shop", "cache-0"))
	call := fake.Calls()[0]
	fmt.Printf("%s %q %q\n", call.Request.Container, call.Request.Command, call.Stdin)

	fake.Run = func(ctx context.Context, req podexec.Request) (podexec.Result, error) {
		return podexec.Exit(req, 1, "", "connection refused\n")
	}
	fmt.Println(flushCache(context.Background(), fake, "shop", "cache-0"))
	// Output:
	// <nil>
	// memcached ["sh" "-c" "nc localhost 11211"] "flush_all\nquit\n"
	// flush failed with code 1: connection refused
}
