package resources

import (
	"context"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// Option configures a resource.
type Option func(*options)

type options struct {
	noOwner   bool
	sensitive bool
	noPrune   bool
	readiness ReadinessFunc
	leave     []string
	recreate  bool
	dependsOn []string
	adoption  AdoptionPolicy
}

// WithoutOwnerReference leaves the custom resource's identity out of the
// desired object (its owner reference, or its owner label and annotations):
// the object outlives the custom resource. It is still pruned once no longer
// registered, unless built WithoutPruning.
func WithoutOwnerReference() Option { return func(o *options) { o.noOwner = true } }

// Sensitive marks the object's values as secret: messages about it (the
// reason of an update, for one) name the fields, never their values. Secrets
// are sensitive without it.
func Sensitive() Option { return func(o *options) { o.sensitive = true } }

// WithoutPruning keeps the object when the operator stops registering it: by
// default an object okt created is deleted once it is no longer wanted (see
// the okt package's pruning).
func WithoutPruning() Option { return func(o *options) { o.noPrune = true } }

// Prunable reports whether the object may be deleted once it is no longer
// registered. Resources built by New and NewMutable implement it.
type Prunable interface {
	Prunable() bool
}

// Prunable reports whether the object may be pruned: true unless built
// WithoutPruning.
func (o *Object[O]) Prunable() bool { return !o.opts.noPrune }

// sensitive reports whether the object's values must not appear in messages.
func (o *Object[O]) sensitive() bool { return o.opts.sensitive || IsSecret(o.key) }

// Object is a Resource over any client.Object: created from its initial data
// (a Go struct, or a template rendered with Render), optionally mutated with
// the custom resource's data, never updated.
type Object[O client.Object] struct {
	initial O
	mutate  func(O) error
	opts    options
	key     Key
	name    string // key.String(), once
	maker   maker  // makes new, empty Os (with the apiVersion and kind of an unstructured one)
	initErr error  // what makes the resource unusable, reported by Fetch and Prepare

	desired  O
	prepared bool
	live     O
	exists   bool
	// shared: live was read from a cache without a copy (see Fetch); its
	// maps, slices and pointers are the cache's, read only. Live hands out
	// a copy of it, made once.
	shared bool
	copied O
	copyOK bool

	body     map[string]any // the apply body of desired, computed on need
	leave    [][]segment    // parsed LeaveToOthers paths, once
	leaveErr error          // a LeaveToOthers path that does not parse
	manager  string         // the field manager, from Prepare's Env
	legacy   []string       // Env.LegacyFieldManagers
}

var (
	_ Resource        = &Object[client.Object]{}
	_ Blocker         = &Mutable[client.Object]{}
	_ MutableResource = &Mutable[client.Object]{}
)

// New returns a create-only resource whose desired state is obj. obj must
// have a name; okt never modifies it (each Prepare works on a copy), so do
// not change it after New: build one object per resource, as builders do.
// obj may be any client.Object: a
// Go type of the Kubernetes API or of a custom resource, or an
// *unstructured.Unstructured with its apiVersion and kind set (a custom
// resource of another operator, without its Go module).
func New[O client.Object](obj O, opts ...Option) *Object[O] {
	o := &Object[O]{}
	o.init(obj, nil, opts)
	return o
}

// NewMutable returns a resource whose desired state is obj mutated by mutate
// (which may be nil). At each Prepare, mutate receives a fresh copy of obj;
// it sets the fields the operator manages, typically from the custom
// resource's spec, and must not change the name or namespace.
func NewMutable[O client.Object](obj O, mutate func(O) error, opts ...Option) *Mutable[O] {
	m := &Mutable[O]{}
	m.init(obj, mutate, opts)
	return m
}

func (o *Object[O]) init(obj O, mutate func(O) error, opts []Option) {
	for _, opt := range opts {
		opt(&o.opts)
	}
	o.mutate = mutate
	o.maker, o.initErr = makerOf(obj)
	if o.initErr != nil {
		o.key = Key{Kind: fmt.Sprintf("%T", obj)}
		if t := reflect.TypeOf(obj); t != nil && t.Kind() == reflect.Pointer && !reflect.ValueOf(obj).IsNil() {
			o.key = keyOf(obj)
		}
		return
	}
	o.initial = obj // Prepare copies it
	o.key = keyOf(obj)
	for _, p := range o.opts.leave {
		segs, err := parseFieldPath(p)
		if err != nil {
			o.leaveErr = fmt.Errorf("%s: LeaveToOthers: %w", o.key, err)
			break
		}
		o.leave = append(o.leave, segs)
	}
}

// maker makes new, empty objects of one type: an unstructured one with its
// apiVersion and kind.
type maker struct {
	elem reflect.Type            // the pointed-to type
	gvk  schema.GroupVersionKind // of unstructured objects
}

// makerOf returns the maker of obj's type, or an error that says why obj
// cannot be a resource: a nil object, or an unstructured one without
// apiVersion and kind. An O that is an interface type (client.Object) takes
// obj's dynamic type.
func makerOf[O client.Object](obj O) (maker, error) {
	t := reflect.TypeOf(obj)
	if t == nil || t.Kind() != reflect.Pointer || reflect.ValueOf(obj).IsNil() {
		return maker{}, fmt.Errorf("the object of a resource must be a non-nil pointer to a Kubernetes object, got %T (%v)", obj, obj)
	}
	if u, ok := any(obj).(*unstructured.Unstructured); ok {
		gvk := u.GroupVersionKind()
		if gvk.Kind == "" || gvk.Version == "" {
			return maker{}, fmt.Errorf("the unstructured object %q has no apiVersion or kind: set both, "+
				"for example u.SetAPIVersion(\"monitoring.coreos.com/v1\") and u.SetKind(\"ServiceMonitor\")", u.GetName())
		}
		return maker{elem: t.Elem(), gvk: gvk}, nil
	}
	return maker{elem: t.Elem()}, nil
}

// newObj returns a new, empty object of the resource's type.
func (o *Object[O]) newObj() O {
	if o.maker.gvk.Kind != "" {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(o.maker.gvk)
		return any(u).(O)
	}
	return reflect.New(o.maker.elem).Interface().(O)
}

// keyOf returns the key of obj: its group and kind from the built-in scheme
// for a built-in type (whatever its type meta says), else from its type meta,
// else its Go type name.
func keyOf(obj client.Object) Key {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if _, isU := any(obj).(runtime.Unstructured); !isU {
		if g, err := apiutil.GVKForObject(obj, clientgoscheme.Scheme); err == nil {
			gvk = g
		}
	}
	if gvk.Kind == "" {
		gvk = schema.GroupVersionKind{Kind: reflect.TypeOf(obj).Elem().Name()}
	}
	return Key{Group: gvk.Group, Kind: gvk.Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// Key identifies the object.
func (o *Object[O]) Key() Key { return o.key }

// Desired returns the desired object after Prepare, or nil before. The
// caller must not modify it.
func (o *Object[O]) Desired() client.Object {
	if !o.prepared {
		return nil
	}
	return o.desired
}

// Live returns the object as last read or created, or nil if it does not
// exist. It is the resource's own copy: changing it changes nothing in the
// cluster or in the manager's cache, but okt's later decisions in this
// reconcile read the object as it was read.
func (o *Object[O]) Live() client.Object {
	if !o.exists {
		return nil
	}
	if !o.shared {
		return o.live
	}
	if !o.copyOK {
		o.copied, o.copyOK = o.live.DeepCopyObject().(O), true
	}
	return o.copied
}

// liveView returns the live object, or nil if it does not exist, without a
// copy: read only, as it may share its memory with the manager's cache.
func (o *Object[O]) liveView() client.Object {
	if !o.exists {
		return nil
	}
	return o.live
}

// LiveView returns the live object of r (nil if it does not exist, or if r
// keeps none) without copying it: okt's own read-only access on every
// reconcile. The object may share its maps, slices and pointers with the
// manager's cache: never modify it (Live returns a copy to keep).
func LiveView(r Resource) client.Object {
	if v, ok := r.(interface{ liveView() client.Object }); ok {
		return v.liveView()
	}
	if l, ok := r.(interface{ Live() client.Object }); ok {
		return l.Live()
	}
	return nil
}

// keepLive records obj as the live object: shared when it may share memory
// with a cache.
func (o *Object[O]) keepLive(obj O, shared bool) {
	var zero O
	o.live, o.exists, o.shared, o.copied, o.copyOK = obj, true, shared, zero, false
}

// Exists reports whether the object exists.
func (o *Object[O]) Exists() bool { return o.exists }

// Prepare computes the desired object: a copy of the initial object, mutated,
// with Secret StringData folded into Data, and with a controller owner
// reference to env.Owner unless WithoutOwnerReference.
func (o *Object[O]) Prepare(_ context.Context, env Env) error {
	if o.initErr != nil {
		return o.initErr
	}
	if o.key.Name == "" {
		return fmt.Errorf("%s has no name: set metadata.name in its initial data", o.key.Kind)
	}
	if o.leaveErr != nil {
		return o.leaveErr
	}
	o.manager, o.legacy = env.fieldManager(), env.LegacyFieldManagers
	o.body = nil
	desired := o.initial.DeepCopyObject().(O)
	if o.mutate != nil {
		if err := o.mutate(desired); err != nil {
			return err
		}
	}
	if o.initial.GetName() != o.key.Name || o.initial.GetNamespace() != o.key.Namespace {
		return fmt.Errorf("the object of %s was renamed to %q in namespace %q after the resource was built: "+
			"build one object per resource, and do not change it after resources.New or NewMutable",
			o.key, o.initial.GetName(), o.initial.GetNamespace())
	}
	if desired.GetName() != o.initial.GetName() || desired.GetNamespace() != o.initial.GetNamespace() {
		return fmt.Errorf("the mutation moved %s to %q in namespace %q: a mutation must not change the name or namespace of its object",
			o.key, desired.GetName(), desired.GetNamespace())
	}
	normalize(desired)
	if env.Owner != nil && !o.opts.noOwner {
		if err := o.setOwner(env, desired); err != nil {
			return err
		}
		if o.exists && adopted(o.live, env.Owner) {
			ann := desired.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[AdoptedAnnotation] = "true"
			desired.SetAnnotations(ann)
		}
	}
	if env.Scheme != nil {
		if gvk, err := apiutil.GVKForObject(desired, env.Scheme); err == nil {
			desired.GetObjectKind().SetGroupVersionKind(gvk)
		}
	}
	o.desired = desired
	o.prepared = true
	return nil
}

// Fetch reads the live object. A typed object is read without a copy
// (client.UnsafeDisableDeepCopy): a manager's cache then hands out its own
// object, its maps and slices shared, which okt only reads (Live copies it
// for others); deep-copying the three objects of a steady reconcile was
// about a third of its time. An unstructured object is copied as usual: its
// content is one map, which a shallow copy would share.
func (o *Object[O]) Fetch(ctx context.Context, env Env) error {
	if o.initErr != nil {
		return o.initErr
	}
	ctx = o.wireCtx(ctx)
	live := o.newObj()
	typed := o.maker.gvk.Kind == ""
	var err error
	if typed {
		err = env.Client.Get(ctx, client.ObjectKey{Namespace: o.key.Namespace, Name: o.key.Name}, live, client.UnsafeDisableDeepCopy)
	} else {
		err = env.Client.Get(ctx, client.ObjectKey{Namespace: o.key.Namespace, Name: o.key.Name}, live)
	}
	switch {
	case err == nil:
	case apierrors.IsNotFound(err):
		o.exists = false
		return nil
	default:
		return err
	}
	if typed && live.GetObjectKind().GroupVersionKind().Empty() && env.Scheme != nil {
		// A cache that does not copy leaves the type meta out, as its
		// objects have none; set it on this shallow copy as a copy has it.
		if gvk, gerr := apiutil.GVKForObject(live, env.Scheme); gerr == nil {
			live.GetObjectKind().SetGroupVersionKind(gvk)
		}
	}
	o.keepLive(live, typed)
	return nil
}

// Create creates the desired object, as a server-side apply of what the
// operator declares (see Update), so that okt's field manager owns its
// fields from the start.
func (o *Object[O]) Create(ctx context.Context, env Env) error {
	if !o.prepared {
		if err := o.Prepare(ctx, env); err != nil {
			return err
		}
	}
	if o.body == nil {
		if err := o.computeBody(); err != nil {
			return err
		}
	}
	obj, err := applyBody(o.wireCtx(ctx), env, o.body, o.newObj())
	if err != nil {
		return err
	}
	o.keepLive(obj, false)
	return nil
}

// computeBody computes the apply body of the desired object.
func (o *Object[O]) computeBody() error {
	u, err := toUnstructured(o.desired)
	if err != nil {
		return fmt.Errorf("cannot convert %s: %w", o.key, err)
	}
	o.body = bodyOf(u, explicitZeros(o.desired, u), o.leave)
	return nil
}

// Delete deletes the object, its dependents in the background.
func (o *Object[O]) Delete(ctx context.Context, env Env) error {
	if o.initErr != nil {
		return o.initErr
	}
	obj := o.initial.DeepCopyObject().(O)
	err := env.Client.Delete(o.wireCtx(ctx), obj, client.PropagationPolicy("Background"))
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	o.exists = false
	return nil
}

// newObject returns a new zero O, O being a pointer to a struct.
func newObject[O client.Object]() O {
	var zero O
	return reflect.New(reflect.TypeOf(zero).Elem()).Interface().(O)
}

// toUnstructured converts a typed object to its JSON-like map.
func toUnstructured(obj runtime.Object) (map[string]any, error) {
	return runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
}
