package podexec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultTimeout bounds a call whose Request has no Timeout, unless
	// WithTimeout says otherwise.
	DefaultTimeout = time.Minute
	// MaxOutputBytes bounds the standard output and the standard error of a
	// command, each, unless WithMaxOutputBytes says otherwise.
	MaxOutputBytes = 16 << 20
)

// Executor runs commands in containers. Implementations are safe for
// concurrent use.
type Executor interface {
	// Exec runs req.Command in the container req.Container of the Pod
	// req.Pod in req.Namespace, and returns its output when it ends. A
	// non-zero exit code is a *ExitError, with the output in the Result;
	// on any other error the Result holds what was received before it. See
	// the package documentation for the whole contract.
	Exec(ctx context.Context, req Request) (Result, error)
}

// Request is one command to run.
type Request struct {
	// Namespace, Pod and Container name where the command runs. All three are
	// required: there is no default container.
	Namespace string
	Pod       string
	Container string
	// Command is the argv, run as is (no shell unless it names one:
	// []string{"sh", "-c", "..."}). Required.
	Command []string
	// Stdin, if not nil, is the command's standard input, read to its end and
	// then closed.
	Stdin io.Reader
	// Timeout bounds the call. Defaults to the executor's default
	// (DefaultTimeout for a Client).
	Timeout time.Duration
}

// Result is what a command wrote.
type Result struct {
	Stdout []byte
	Stderr []byte
}

// Validate tells whether the request names a namespace, a Pod, a container
// and a command.
func (r Request) Validate() error {
	var missing []string
	if r.Namespace == "" {
		missing = append(missing, "namespace")
	}
	if r.Pod == "" {
		missing = append(missing, "pod")
	}
	if r.Container == "" {
		missing = append(missing, "container")
	}
	if len(r.Command) == 0 || r.Command[0] == "" {
		missing = append(missing, "command")
	}
	if len(missing) > 0 {
		return fmt.Errorf("invalid exec request: no %s", strings.Join(missing, ", no "))
	}
	if r.Timeout < 0 {
		return fmt.Errorf("invalid exec request: negative timeout %s", r.Timeout)
	}
	return nil
}

// where names the target and the command's first word, for errors.
func (r Request) where() string {
	name := ""
	if len(r.Command) > 0 {
		name = r.Command[0]
	}
	return fmt.Sprintf("%q in %s/%s container %q", name, r.Namespace, r.Pod, r.Container)
}

// ExitError is a command that ended with a non-zero exit code.
type ExitError struct {
	// Code is the exit code, 1 to 255.
	Code int
	// Command is the command's first word (the rest may hold secrets).
	Command string
	// Namespace, Pod and Container name where it ran.
	Namespace, Pod, Container string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("command %q in %s/%s container %q exited with code %d", e.Command, e.Namespace, e.Pod, e.Container, e.Code)
}

// ExitCode is the code of the *ExitError in err's chain: 0 if err is nil, -1
// if err is another error (the command's outcome is unknown).
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return -1
}

// ContainerNotFoundError is a Request naming a container the Pod does not
// have.
type ContainerNotFoundError struct {
	Namespace, Pod, Container string
	// Containers lists the Pod's containers, then its init and ephemeral
	// containers, by name.
	Containers []string
}

func (e *ContainerNotFoundError) Error() string {
	return fmt.Sprintf("pod %s/%s has no container %q (its containers: %s)", e.Namespace, e.Pod, e.Container, strings.Join(e.Containers, ", "))
}

// timeoutOf is the request's timeout, else def.
func timeoutOf(req Request, def time.Duration) time.Duration {
	if req.Timeout > 0 {
		return req.Timeout
	}
	return def
}

// limitedBuffer keeps up to max bytes and fails beyond. It is safe for
// concurrent use: client-go may still write to it after the call returned on
// a timeout.
type limitedBuffer struct {
	mu       sync.Mutex
	buf      []byte
	max      int
	overflow bool
}

// bytes is a copy of what was written, and whether more was cut.
func (b *limitedBuffer) bytes() ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		return nil, b.overflow
	}
	return append([]byte(nil), b.buf...), b.overflow
}

var errOutputTooLarge = errors.New("output too large")

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.overflow {
		return 0, errOutputTooLarge
	}
	if len(b.buf)+len(p) > b.max {
		b.buf = append(b.buf, p[:b.max-len(b.buf)]...)
		b.overflow = true
		return 0, errOutputTooLarge
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}
