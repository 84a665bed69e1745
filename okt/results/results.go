package results

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Op is the type of an operation. Operators may declare their own Ops.
type Op string

// Ops on the custom resource.
const (
	CRFetched    Op = "CRFetched"    // the CR was read
	CRNotFound   Op = "CRNotFound"   // the CR is gone: nothing to do
	CRUnreadable Op = "CRUnreadable" // the CR could not be read
	CRInvalid    Op = "CRInvalid"    // the CR failed a semantic check
	CRFinalizing Op = "CRFinalizing" // the CR is being deleted
	CRFinalized  Op = "CRFinalized"  // the finalization step succeeded
)

// Ops on the registry and on mutations.
const (
	Registered        Op = "Registered"
	RegistrationError Op = "RegistrationError"
	Mutated           Op = "Mutated"
	MutationError     Op = "MutationError"
	MutationRequeue   Op = "MutationRequeue"
)

// Ops that read or write resources.
const (
	Unchanged     Op = "Unchanged"
	Created       Op = "Created"
	CreateDelayed Op = "CreateDelayed"
	// AwaitingReadiness: every write done, an owned object is not ready yet.
	AwaitingReadiness Op = "AwaitingReadiness"
	Updated           Op = "Updated"
	Deleted           Op = "Deleted"
	Pruned            Op = "Pruned"        // deleted because no longer registered
	OwnerConflict     Op = "OwnerConflict" // another controller owns the object: not written
	CRUDError         Op = "CRUDError"
	// CorrectionDelayed: a drift correction held back, another writer
	// fighting over the field.
	CorrectionDelayed Op = "CorrectionDelayed"
	// AwaitingDeletion: the object is being deleted; written once it is gone.
	AwaitingDeletion Op = "AwaitingDeletion"
	// Recreating: the object was deleted to apply an immutable change.
	Recreating Op = "Recreating"
	// AwaitingDependency: not written in this reconcile, a resource it
	// depends on (resources.DependsOn) not being ready.
	AwaitingDependency Op = "AwaitingDependency"
)

// Ops on the status and the finalizer of the CR.
const (
	StatusUpdated   Op = "StatusUpdated"
	StatusUnchanged Op = "StatusUnchanged"
	StatusError     Op = "StatusError"
	// StatusDeferred: the status changed, but this reconcile read a copy of
	// the CR older than okt's own last status write (a cache a step
	// behind): a write would only meet a conflict. Requeued shortly.
	StatusDeferred   Op = "StatusDeferred"
	FinalizerAdded   Op = "FinalizerAdded"
	FinalizerRemoved Op = "FinalizerRemoved"
	FinalizerError   Op = "FinalizerError"
)

// Alarming ops: something is wrong in the operator itself.
const (
	ImplementationConcern Op = "ImplementationConcern"
	InfiniteLoop          Op = "InfiniteLoop"
)

// Ops recorded by user code through AddSuccess, Fail or GiveUp.
const (
	Success Op = "Success"
	Failure Op = "Failure"
	GaveUp  Op = "GaveUp"
)

// ConflictRequeue is the delay after which a reconcile that met a conflict is
// retried.
const ConflictRequeue = time.Second

// Entry is one recorded operation.
type Entry struct {
	// Resource names what the operation was about, for example
	// "Deployment default/memcached" or "CR".
	Resource string
	// Op is the type of the operation.
	Op Op
	// Err is the error of a failed operation, nil otherwise.
	Err error
	// RequeueAfter asks for another reconcile after this delay; 0 asks nothing.
	RequeueAfter time.Duration
	// GiveUp marks a terminal failure: the reconcile of this CR stops until the
	// CR changes.
	GiveUp bool
	// RetryAfter, on a give-up, asks to look again after this delay all the
	// same: a failure that no retry fixes by itself, but that something
	// besides the CR may (an object the API server refuses as invalid).
	RetryAfter time.Duration
}

func (e Entry) String() string {
	var b strings.Builder
	b.WriteString(string(e.Op))
	if e.Resource != "" {
		b.WriteString(" ")
		b.WriteString(e.Resource)
	}
	if e.GiveUp {
		b.WriteString(" (give up)")
	}
	if e.RequeueAfter > 0 {
		fmt.Fprintf(&b, " (requeue after %s)", e.RequeueAfter)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// GiveUpError is the error of a terminal failure. It carries a reason and,
// optionally, the error that caused it. It never wraps itself.
type GiveUpError struct {
	Reason string
	Err    error
}

func (e *GiveUpError) Error() string {
	if e == nil {
		return "gave up"
	}
	switch {
	case e.Err == nil && e.Reason == "":
		return "gave up"
	case e.Err == nil:
		return "gave up: " + e.Reason
	case e.Reason == "":
		return "gave up: " + e.Err.Error()
	}
	return "gave up: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause of the give-up.
func (e *GiveUpError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// NewGiveUpError returns a give-up error. If err already is (or wraps) a
// give-up error, that one's cause is kept rather than wrapped again, so that a
// chain of give-ups never nests.
func NewGiveUpError(reason string, err error) *GiveUpError {
	var g *GiveUpError
	if errors.As(err, &g) && g != nil {
		if reason == "" {
			reason = g.Reason
		}
		err = g.Err
	}
	return &GiveUpError{Reason: reason, Err: err}
}

// IsGiveUp reports whether err is or wraps a GiveUpError.
func IsGiveUp(err error) bool {
	var g *GiveUpError
	return errors.As(err, &g)
}

// Results is the record of one reconcile. The zero value is ready to use.
type Results struct {
	mu      sync.Mutex
	entries []Entry
}

// New returns an empty Results.
func New() *Results { return &Results{entries: make([]Entry, 0, 16)} }

// Add records an operation. A nil err records a success.
func (r *Results) Add(resource string, op Op, err error, requeueAfter time.Duration) {
	r.add(Entry{Resource: resource, Op: op, Err: err, RequeueAfter: requeueAfter})
}

// AddSuccess records a successful operation.
func (r *Results) AddSuccess(resource string, op Op) {
	r.add(Entry{Resource: resource, Op: op})
}

// AddRequeue records a successful operation that asks for another reconcile
// after the given delay.
func (r *Results) AddRequeue(resource string, op Op, after time.Duration) {
	r.add(Entry{Resource: resource, Op: op, RequeueAfter: after})
}

// AddGiveUp records a terminal failure. reason may be empty and err may be nil.
func (r *Results) AddGiveUp(resource string, op Op, reason string, err error) {
	r.add(Entry{Resource: resource, Op: op, Err: NewGiveUpError(reason, err), GiveUp: true})
}

// AddGiveUpRetry records a give-up, as AddGiveUp, that is looked at again
// after the delay: the CR gets Stalled, and Result asks for a requeue after
// the delay (the lowest of such delays) instead of a terminal error.
func (r *Results) AddGiveUpRetry(resource string, op Op, reason string, err error, after time.Duration) {
	r.add(Entry{Resource: resource, Op: op, Err: NewGiveUpError(reason, err), GiveUp: true, RetryAfter: after})
}

// retryAfter returns the lowest RetryAfter of the give-ups, 0 when a give-up
// has none (a terminal one wins).
func (r *Results) retryAfter() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var min time.Duration
	for _, e := range r.entries {
		if !e.GiveUp {
			continue
		}
		if e.RetryAfter <= 0 {
			return 0
		}
		if min == 0 || e.RetryAfter < min {
			min = e.RetryAfter
		}
	}
	return min
}

func (r *Results) add(e Entry) {
	if e.Err != nil && !e.GiveUp && IsGiveUp(e.Err) {
		e.GiveUp = true
	}
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
}

// Redact rewrites the message of every recorded error with fn (which masks
// secret values, say). The rewritten errors still unwrap to the originals, so
// errors.Is and errors.As classify them as before; only their text changes.
func (r *Results) Redact(fn func(string) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, e := range r.entries {
		if e.Err == nil {
			continue
		}
		if msg := fn(e.Err.Error()); msg != e.Err.Error() {
			r.entries[i].Err = &redactedError{msg: msg, err: e.Err}
		}
	}
}

// redactedError is an error whose message was rewritten by Redact.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Entries returns a copy of the recorded operations, in order.
func (r *Results) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Len returns the number of recorded operations.
func (r *Results) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}

// Count returns how many operations of type op were recorded.
func (r *Results) Count(op Op) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.entries {
		if e.Op == op {
			n++
		}
	}
	return n
}

// Counters returns the number of operations per type.
func (r *Results) Counters() map[Op]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := make(map[Op]int, len(r.entries))
	for _, e := range r.entries {
		c[e.Op]++
	}
	return c
}

// GivenUp reports whether a terminal failure was recorded.
func (r *Results) GivenUp() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.entries {
		if e.GiveUp {
			return true
		}
	}
	return false
}

// HasError reports whether an operation failed, give-ups and conflicts
// included.
func (r *Results) HasError() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.entries {
		if e.Err != nil || e.GiveUp {
			return true
		}
	}
	return false
}

// Err returns the consolidated error: the first give-up if any, else the
// first error, else nil.
func (r *Results) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var first error
	for _, e := range r.entries {
		if e.GiveUp {
			return e.Err
		}
		if e.Err != nil && first == nil {
			first = e.Err
		}
	}
	return first
}

// OnlyConflicts reports whether every error recorded is a conflict, and at
// least one was recorded.
func (r *Results) OnlyConflicts() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := false
	for _, e := range r.entries {
		if e.GiveUp || (e.Err != nil && !apierrors.IsConflict(e.Err)) {
			return false
		}
		if e.Err != nil {
			seen = true
		}
	}
	return seen
}

// RequeueAfter returns the lowest non-zero requeue delay recorded, or 0.
func (r *Results) RequeueAfter() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d time.Duration
	for _, e := range r.entries {
		if e.RequeueAfter > 0 && (d == 0 || e.RequeueAfter < d) {
			d = e.RequeueAfter
		}
	}
	return d
}

// Result consolidates the record into what a controller-runtime Reconcile
// returns. See the package documentation for the rules.
func (r *Results) Result() (reconcile.Result, error) {
	if r.GivenUp() {
		if after := r.retryAfter(); after > 0 {
			return reconcile.Result{RequeueAfter: after}, nil
		}
		if err := r.Err(); err != nil {
			var g *GiveUpError
			if errors.As(err, &g) && (g == nil || g.Err == nil) {
				return reconcile.Result{}, nil
			}
			return reconcile.Result{}, reconcile.TerminalError(err)
		}
		return reconcile.Result{}, nil
	}
	if r.OnlyConflicts() {
		after := ConflictRequeue
		if d := r.RequeueAfter(); d > 0 && d < after {
			after = d
		}
		return reconcile.Result{RequeueAfter: after}, nil
	}
	if err := r.Err(); err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{RequeueAfter: r.RequeueAfter()}, nil
}

// String renders the operations and the counters on one line each.
func (r *Results) String() string {
	var b strings.Builder
	for _, e := range r.Entries() {
		b.WriteString(e.String())
		b.WriteString("\n")
	}
	b.WriteString(r.Summary())
	return b.String()
}

// Summary renders the counters, sorted by op: "Created=2 Unchanged=3".
func (r *Results) Summary() string {
	c := r.Counters()
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, string(op))
	}
	sort.Strings(ops)
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = fmt.Sprintf("%s=%d", op, c[Op(op)])
	}
	return strings.Join(parts, " ")
}

// Log writes the counters at V(1) and every operation at V(2); failed
// operations are logged at V(1) with their error.
func (r *Results) Log(log logr.Logger) {
	if !log.V(1).Enabled() {
		return // the steady state's case: build nothing
	}
	log.V(1).Info("reconcile operations", "counters", r.Summary())
	for _, e := range r.Entries() {
		if e.Err != nil {
			log.V(1).Info("operation failed", "op", string(e.Op), "resource", e.Resource, "giveUp", e.GiveUp, "error", e.Err.Error())
			continue
		}
		log.V(2).Info("operation", "op", string(e.Op), "resource", e.Resource, "requeueAfter", e.RequeueAfter)
	}
}
