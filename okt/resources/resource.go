package resources

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// HashAnnotation is the annotation where the hash of the desired state of a
// managed object is stored.
const HashAnnotation = "okt.orange.com/hash"

// Key identifies a managed object: its group, kind, namespace and name.
type Key struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// String renders the key as "Kind[.group] namespace/name".
func (k Key) String() string {
	var b strings.Builder
	b.Grow(len(k.Kind) + len(k.Group) + len(k.Namespace) + len(k.Name) + 3)
	b.WriteString(k.Kind)
	if k.Group != "" {
		b.WriteByte('.')
		b.WriteString(k.Group)
	}
	b.WriteByte(' ')
	if k.Namespace != "" {
		b.WriteString(k.Namespace)
		b.WriteByte('/')
	}
	b.WriteString(k.Name)
	return b.String()
}

// Name returns the resource's Key rendered by String, computed once: the
// okt Reconciler names a resource in its results, logs and messages
// several times per reconcile. Resources built by New and NewMutable
// implement it.
type Named interface {
	Name() string
}

// Name returns the String of the resource's Key.
func (o *Object[O]) Name() string {
	if o.name == "" {
		o.name = o.key.String()
	}
	return o.name
}

// Env is what a resource needs from the reconcile that manages it.
type Env struct {
	// Client reads and writes objects.
	Client client.Client
	// Scheme maps Go types to group, version and kind.
	Scheme *runtime.Scheme
	// Owner is the custom resource that owns the object. When set, and unless
	// the resource was built WithoutOwnerReference, the desired object gets a
	// controller owner reference to it.
	Owner client.Object
	// FieldManager names okt in the objects' managedFields: every create and
	// update is a server-side apply under this field manager, forcing its
	// ownership of the fields the operator declares. Defaults to
	// DefaultFieldManager; the okt Reconciler sets it (see
	// okt.WithFieldManager).
	FieldManager string
	// LegacyFieldManagers are field managers, besides the program's default
	// one and FieldManager, under which okt's writes were recorded before
	// it applied (an okt release that patched): their fields on objects okt
	// wrote move to FieldManager at first contact, so that removing them
	// from the desired state removes them.
	LegacyFieldManagers []string
}

// Resource is an object that the operator creates and deletes, but never
// updates once it exists.
//
// Implementations are not safe for concurrent use: a Resource belongs to one
// reconcile. Prepare must be called before Create.
type Resource interface {
	// Key identifies the object. It is known before Prepare.
	Key() Key
	// Desired returns the desired object: after Prepare, the initial data
	// mutated with the custom resource's data, owner reference included.
	Desired() client.Object
	// Prepare computes the desired object. It is idempotent. It fails when the
	// mutation renames or moves the object.
	Prepare(ctx context.Context, env Env) error
	// Fetch reads the live object. A missing object is not an error: Exists
	// reports false afterwards.
	Fetch(ctx context.Context, env Env) error
	// Exists reports whether the last Fetch (or Create) found the object.
	Exists() bool
	// Create creates the desired object, as a server-side apply: an object
	// that exists already (read from a stale cache, say) gets the fields the
	// operator declares, and keeps the others.
	Create(ctx context.Context, env Env) error
	// Delete deletes the object. A missing object is not an error.
	Delete(ctx context.Context, env Env) error
}

// MutableResource is a Resource that the operator also keeps up to date.
type MutableResource interface {
	Resource
	// Live returns the object as last read, or nil if it does not exist.
	Live() client.Object
	// NeedsUpdate reports, after Prepare and Fetch, whether the live object
	// must be written, and why (a human-readable reason for the logs).
	NeedsUpdate() (bool, string)
	// Update applies the desired object (server-side apply, one request),
	// leaving the fields other writers own as they are. It does nothing when
	// NeedsUpdate reports false.
	Update(ctx context.Context, env Env) error
}
