// Package podexec runs a command in a container of a Pod, as kubectl exec
// does, for operators that talk to their application through its own tools
// (a database shell, an admin command, a backup script).
//
// Executor is the interface operators depend on; Client is its
// implementation on client-go's remote command support (WebSocket, falling
// back to SPDY on API servers that do not upgrade it), and Fake answers from
// a function, for the operator's unit tests.
//
// # Contract
//
// A Request names the Pod and the container by name, never by index nor by
// default: a container must be named. Before running anything, Client reads
// the Pod: a missing Pod is an error that satisfies apierrors.IsNotFound, a
// missing container a *ContainerNotFoundError that names it and lists the
// Pod's containers.
//
// Exec returns when the command ends, with its whole standard output and
// standard error in the Result, buffered in memory (up to MaxOutputBytes
// each; beyond it the output is cut and the call fails). The command's
// standard input is Request.Stdin, read to its end then closed; with no Stdin
// the command gets none.
//
// A command that exits with a non-zero code gives a *ExitError holding the
// code, and the Result still holds its output. Any other error (Pod not found,
// container not found, connection refused, timeout) leaves in the Result
// what was received before it.
//
// Every call is bounded: by its context, and by Request.Timeout, else the
// client's default timeout (DefaultTimeout, one minute). A call that runs out
// of time returns an error wrapping context.DeadlineExceeded; the command may
// still run in the container (the API server closes the stream, the container
// runtime decides).
//
// Errors name the namespace, Pod and container, and the command's first word
// only: the rest of a command line may hold secrets (a password given to a
// database shell), as may its standard input and output, which no error or
// log line carries.
//
// # Where it works
//
// Client needs Pods whose containers run: a real cluster, or kind. okt's
// local cluster (package okt/cluster) runs no containers, and its fake nodes
// serve no exec. kwok can be set up to answer exec by running the command on
// the host (an Exec or ClusterExec rule), but it then loses exit codes (a
// non-zero exit comes back as an InternalError, not a *ExitError) and never
// closes the command's standard input; this package's own tests use an
// in-process server that speaks the protocol instead.
package podexec
