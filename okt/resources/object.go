package resources

import "sigs.k8s.io/controller-runtime/pkg/client"

// Option configures a resource.
type Option func(*options)

type options struct {
	noOwner bool
}

// WithoutOwnerReference leaves the owner reference out of the desired object:
// the object outlives the custom resource and is not garbage collected with it.
func WithoutOwnerReference() Option { return func(o *options) { o.noOwner = true } }

// Object is a Resource over any client.Object: created from its initial data
// (a Go struct, or a template rendered with Render), optionally mutated with
// the custom resource's data, never updated.
type Object[O client.Object] struct {
	initial O
	mutate  func(O) error
	opts    options

	desired O
	live    O
	exists  bool
	fetched bool
}

// Mutable is a MutableResource over any client.Object: like Object, and kept
// up to date by change detection (see the package documentation).
type Mutable[O client.Object] struct {
	Object[O]
	// filled by Prepare and Fetch
	intent map[string]any
	hash   string
	reason string
	update bool
}

// New returns a create-only resource whose desired state is obj. obj must
// have a name; it is not modified.
func New[O client.Object](obj O, opts ...Option) *Object[O] {
	panic("TODO")
}

// NewMutable returns a resource whose desired state is obj mutated by mutate
// (which may be nil). mutate receives a fresh copy of obj at each Prepare and
// must not change its name or namespace.
func NewMutable[O client.Object](obj O, mutate func(O) error, opts ...Option) *Mutable[O] {
	panic("TODO")
}

// Render executes the text/template tpl with data and decodes the YAML result
// into a new O. A key missing from data, a field unknown to O, or a kind that
// differs from O's is an error.
func Render[O client.Object](tpl string, data any) (O, error) {
	panic("TODO")
}
