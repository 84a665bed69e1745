package podexec

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Fake is an Executor for tests: it validates each Request as Client does,
// records it, and answers with Run. The zero value answers every command with
// an empty output. It is safe for concurrent use.
//
// Fake applies the Request's Timeout (else Timeout) to the context it gives
// Run, and returns the context's error, wrapped, when it ends before Run
// returns or when Run returns it. Containers, when set, makes it check the
// Pod and the container as Client does.
type Fake struct {
	// Run answers a call. Its Request's Stdin, if any, holds the whole input
	// (also recorded in Calls). Nil answers an empty Result.
	Run func(ctx context.Context, req Request) (Result, error)
	// Containers, if not nil, lists the containers of each Pod by
	// "namespace/pod": a Request for another Pod fails as Pod not found, one
	// for another container with a *ContainerNotFoundError.
	Containers map[string][]string
	// Timeout bounds calls whose Request has no Timeout. Defaults to
	// DefaultTimeout.
	Timeout time.Duration

	mu    sync.Mutex
	calls []Call
}

// Call is a request a Fake received.
type Call struct {
	Request Request
	// Stdin is the whole standard input given, nil if none.
	Stdin []byte
}

var _ Executor = (*Fake)(nil)

// Exec implements Executor.
func (f *Fake) Exec(ctx context.Context, req Request) (Result, error) {
	if err := req.Validate(); err != nil {
		return Result{}, err
	}
	var stdin []byte
	if req.Stdin != nil {
		data, err := io.ReadAll(req.Stdin)
		if err != nil {
			return Result{}, fmt.Errorf("cannot exec %s: cannot read stdin: %w", req.where(), err)
		}
		stdin = data
		req.Stdin = bytes.NewReader(data)
	}
	recorded := req
	recorded.Command = slices.Clone(req.Command)
	recorded.Stdin = nil
	f.mu.Lock()
	f.calls = append(f.calls, Call{Request: recorded, Stdin: stdin})
	f.mu.Unlock()

	if f.Containers != nil {
		names, ok := f.Containers[req.Namespace+"/"+req.Pod]
		if !ok {
			return Result{}, fmt.Errorf("cannot exec %s: pod not found", req.where())
		}
		if !slices.Contains(names, req.Container) {
			return Result{}, &ContainerNotFoundError{Namespace: req.Namespace, Pod: req.Pod, Container: req.Container, Containers: slices.Clone(names)}
		}
	}
	def := f.Timeout
	if def <= 0 {
		def = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeoutOf(req, def))
	defer cancel()
	if f.Run == nil {
		if err := ctx.Err(); err != nil {
			return Result{}, fmt.Errorf("cannot exec %s: %w", req.where(), err)
		}
		return Result{}, nil
	}
	type answer struct {
		res Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := f.Run(ctx, req)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		if a.err != nil && ctx.Err() != nil {
			return a.res, fmt.Errorf("cannot exec %s: %w", req.where(), ctx.Err())
		}
		return a.res, a.err
	case <-ctx.Done():
		return Result{}, fmt.Errorf("cannot exec %s: %w", req.where(), ctx.Err())
	}
}

// Calls returns the requests received so far, in order; their Stdin is nil
// (Call.Stdin holds it).
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Exit is an answer for Fake.Run: the output given and, for a non-zero code,
// a *ExitError for req.
func Exit(req Request, code int, stdout, stderr string) (Result, error) {
	res := Result{Stdout: []byte(stdout), Stderr: []byte(stderr)}
	if code == 0 {
		return res, nil
	}
	return res, &ExitError{Code: code, Command: req.Command[0], Namespace: req.Namespace, Pod: req.Pod, Container: req.Container}
}
