package okt

import (
	"time"

	"k8s.io/client-go/tools/record"
)

// Mode selects what a Reconciler may do to the resources it manages.
type Mode int

const (
	// Advanced resources are created, kept up to date and deleted. It is the
	// default.
	Advanced Mode = iota
	// Basic resources are created, never updated.
	Basic
)

func (m Mode) String() string {
	if m == Basic {
		return "Basic"
	}
	return "Advanced"
}

// Option configures a Reconciler.
type Option func(*options)

type options struct {
	mode             Mode
	finalizer        string
	maxCreations     int
	creationDelay    time.Duration
	stopOnError      bool
	resync           time.Duration
	prune            bool
	readinessRequeue time.Duration
	recorder         record.EventRecorder
	fieldManager     string
	legacyManagers   []string
	fight            FightRule
}

// WithFieldManager names okt's field manager: every create and update of an
// owned object is a server-side apply under it, and kubectl get
// --show-managed-fields shows it as the owner of the fields the operator
// declares. Defaults to "okt-" and the custom resource's kind in lower case
// ("okt-memcached").
func WithFieldManager(name string) Option { return func(o *options) { o.fieldManager = name } }

// WithLegacyFieldManagers lists field managers under which okt's writes were
// recorded before it applied, besides the program's default one (an
// operator that set its own with client.WithFieldOwner, say): on the objects
// okt wrote, their fields move to okt's field manager at first contact, so
// that a field removed from the desired state is removed from the object.
func WithLegacyFieldManagers(names ...string) Option {
	return func(o *options) { o.legacyManagers = append(o.legacyManagers, names...) }
}

// WithMode selects Basic or Advanced. Defaults to Advanced.
func WithMode(m Mode) Option { return func(o *options) { o.mode = m } }

// WithFinalizerName sets the finalizer the Reconciler adds when its engine
// declares a finalization step. Defaults to "<group of the CR>/finalizer".
func WithFinalizerName(name string) Option { return func(o *options) { o.finalizer = name } }

// WithMaxCreations limits the number of objects created per reconcile; the
// others are created by the next reconciles, after the creation delay.
// Defaults to 0: no limit.
func WithMaxCreations(n int) Option { return func(o *options) { o.maxCreations = n } }

// WithCreationDelay sets the requeue delay of creations held back by
// WithMaxCreations. Defaults to one second.
func WithCreationDelay(d time.Duration) Option { return func(o *options) { o.creationDelay = d } }

// WithStopOnError makes the *AllResources operations stop at the first
// failing resource, and sends their writes one at a time (without it, the
// creates of consecutive namespaced resources go out at once). Defaults to
// false: every resource is tried.
func WithStopOnError(stop bool) Option { return func(o *options) { o.stopOnError = stop } }

// WithResync requeues every successful reconcile after d, to notice changes
// that no watch reports. Defaults to 0: no periodic resync.
func WithResync(d time.Duration) Option { return func(o *options) { o.resync = d } }

// WithPruning turns pruning on or off. With pruning on, the default, okt
// records the objects it creates for a custom resource (in its status, or
// its InventoryAnnotation) and deletes those that are no longer registered after
// a reconcile where every step succeeded. Basic mode never prunes.
func WithPruning(on bool) Option { return func(o *options) { o.prune = on } }

// WithReadinessRequeue sets the delay after which a reconcile that waits for
// owned objects to get ready is retried. The watches on owned objects
// (Owns in SetupWithManager) usually bring the next reconcile sooner; the
// delay covers kinds that are not watched. Defaults to 10 seconds; 0 turns it
// off.
func WithReadinessRequeue(d time.Duration) Option { return func(o *options) { o.readinessRequeue = d } }
