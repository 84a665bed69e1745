package resources

import (
	"fmt"
	"reflect"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// The identity of the custom resource on the objects it owns that an owner
// reference cannot name: a cluster-scoped object (a ClusterRole, a
// Namespace) or an object in another namespace, owned by a namespaced custom
// resource. Kubernetes forbids such owner references, so the garbage
// collector cannot delete these objects: okt labels them instead, watches
// them through the label (see okt.EnqueueOwner), and deletes them itself when
// the custom resource is deleted, holding it with its finalizer until they
// are gone.
const (
	// OwnerUIDLabel is the label that ties an object to its owner: the UID
	// of the custom resource.
	OwnerUIDLabel = "okt.orange.com/owner-uid"
	// OwnerKindAnnotation names the owner's kind and group,
	// "Memcached.cache.example.com".
	OwnerKindAnnotation = "okt.orange.com/owner-kind"
	// OwnerNamespaceAnnotation names the owner's namespace.
	OwnerNamespaceAnnotation = "okt.orange.com/owner-namespace"
	// OwnerNameAnnotation names the owner.
	OwnerNameAnnotation = "okt.orange.com/owner-name"
)

// AdoptedAnnotation marks an object that okt adopted (it existed before okt
// handled its resource, and okt gave it the custom resource's identity): okt
// records it in the custom resource's inventory like the objects it
// created, but never deletes it, neither when pruning nor when the custom
// resource is deleted (the garbage collector still deletes an adopted object
// with an owner reference together with its owner).
const AdoptedAnnotation = "okt.orange.com/adopted"

// adopted reports whether okt adopts live for owner, or did: live is not
// owner's yet, or carries AdoptedAnnotation.
func adopted(live, owner client.Object) bool {
	if _, ok := live.GetAnnotations()[AdoptedAnnotation]; ok {
		return true
	}
	return OwnerUID(live) != owner.GetUID()
}

// IsAdopted reports whether okt adopted obj (see AdoptedAnnotation).
func IsAdopted(obj client.Object) bool {
	_, ok := obj.GetAnnotations()[AdoptedAnnotation]
	return ok
}

// OwnedByLabel is a resource whose object is tied to its owner by okt's
// owner label, not by an owner reference: it is cluster-scoped or in another
// namespace than its namespaced owner. Resources built by New and NewMutable
// implement it.
type OwnedByLabel interface {
	// OwnedByLabel reports whether the object is tied to owner by okt's
	// owner label rather than an owner reference.
	OwnedByLabel(owner client.Object) bool
}

// OwnedByLabel reports whether the object is tied to owner by okt's owner
// label (see OwnerUIDLabel): owner is namespaced, the object is
// cluster-scoped or in another namespace, and the resource was not built
// WithoutOwnerReference.
func (o *Object[O]) OwnedByLabel(owner client.Object) bool {
	if o.initErr != nil || o.opts.noOwner || owner == nil || reflect.ValueOf(owner).IsNil() {
		return false
	}
	return !byReference(owner, o.initial)
}

// byReference reports whether owner can be an owner reference of obj: a
// cluster-scoped owner can own anything, a namespaced one only objects of
// its own namespace.
func byReference(owner, obj client.Object) bool {
	return owner.GetNamespace() == "" || owner.GetNamespace() == obj.GetNamespace()
}

// setOwner ties desired to env.Owner: with a controller owner reference when
// Kubernetes allows one, else with okt's owner label and annotations.
func (o *Object[O]) setOwner(env Env, desired O) error {
	if env.Scheme == nil {
		return fmt.Errorf("cannot set the owner reference of %s: Env.Scheme is nil", o.key)
	}
	if byReference(env.Owner, desired) {
		if len(desired.GetOwnerReferences()) == 0 {
			// The common case, without controllerutil's checks and copies:
			// byReference checked the scopes, and there is no other owner.
			if gv, kind, err := ownerKind(env.Owner, env.Scheme); err == nil {
				desired.SetOwnerReferences([]metav1.OwnerReference{{
					APIVersion: gv, Kind: kind, Name: env.Owner.GetName(), UID: env.Owner.GetUID(),
					Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
				}})
				return nil
			}
		}
		if err := controllerutil.SetControllerReference(env.Owner, desired, env.Scheme); err != nil {
			return fmt.Errorf("cannot set the owner reference of %s: %w", o.key, err)
		}
		return nil
	}
	if desired.GetNamespace() == "" && env.Client != nil {
		// A namespaced kind without a namespace would be sent to the wrong
		// place: say what to fix.
		if namespaced, err := env.Client.IsObjectNamespaced(desired); err == nil && namespaced {
			return fmt.Errorf("%s has no namespace: set metadata.namespace in its initial data (the custom resource's, or another)", o.key)
		}
	}
	gvk, err := apiutil.GVKForObject(env.Owner, env.Scheme)
	if err != nil {
		return fmt.Errorf("cannot name the owner of %s: %w", o.key, err)
	}
	kind := gvk.Kind
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	labels := desired.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[OwnerUIDLabel] = string(env.Owner.GetUID())
	desired.SetLabels(labels)
	ann := desired.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[OwnerKindAnnotation] = kind
	ann[OwnerNamespaceAnnotation] = env.Owner.GetNamespace()
	ann[OwnerNameAnnotation] = env.Owner.GetName()
	desired.SetAnnotations(ann)
	return nil
}

// ownerKind returns the apiVersion and kind of owner's type in scheme,
// remembered per type and scheme.
func ownerKind(owner client.Object, scheme *runtime.Scheme) (apiVersion, kind string, err error) {
	key := ownerKindKey{reflect.TypeOf(owner), scheme}
	if v, ok := ownerKinds.Load(key); ok {
		k := v.([2]string)
		return k[0], k[1], nil
	}
	gvk, err := apiutil.GVKForObject(owner, scheme)
	if err != nil {
		return "", "", err
	}
	apiVersion, kind = gvk.GroupVersion().String(), gvk.Kind
	if _, isU := owner.(runtime.Unstructured); !isU {
		ownerKinds.Store(key, [2]string{apiVersion, kind})
	}
	return apiVersion, kind, nil
}

type ownerKindKey struct {
	t      reflect.Type
	scheme *runtime.Scheme
}

var ownerKinds sync.Map

// OwnerUID returns the UID of the custom resource obj is tied to, by its
// controller owner reference or by okt's owner label; empty when it has
// neither. It allocates nothing (OwnerOf also names the owner).
func OwnerUID(obj client.Object) types.UID {
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		return ref.UID
	}
	return types.UID(obj.GetLabels()[OwnerUIDLabel])
}

// OwnerOf returns the UID of the custom resource obj is tied to, by its
// controller owner reference or by okt's owner label, and "Kind name" of
// that owner for messages; an empty UID when it has neither.
func OwnerOf(obj client.Object) (uid types.UID, owner string) {
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		return ref.UID, ref.Kind + " " + ref.Name
	}
	if u := obj.GetLabels()[OwnerUIDLabel]; u != "" {
		a := obj.GetAnnotations()
		name := a[OwnerNameAnnotation]
		if ns := a[OwnerNamespaceAnnotation]; ns != "" {
			name = ns + "/" + name
		}
		kind := a[OwnerKindAnnotation]
		if kind == "" {
			kind = "custom resource"
		}
		return types.UID(u), kind + " " + name
	}
	return "", ""
}

// AdoptionPolicy says what okt does with an object that exists already when
// it first handles its resource, and that this custom resource does not own
// yet (no owner reference or owner label of its own).
type AdoptionPolicy int

const (
	// AdoptIfUnowned, the default: an object with no owner (no controller
	// reference, no okt owner label) is adopted: it gets the custom
	// resource's identity and the declared fields. One that another owner
	// controls is left alone, and the custom resource's Ready condition
	// names that owner (reason OwnerConflict).
	AdoptIfUnowned AdoptionPolicy = iota
	// AdoptNever: any object okt did not create for this custom resource is
	// left alone, and reported as with another owner.
	AdoptNever
	// AdoptAlways: the object is taken over from any owner: the other
	// controller reference or owner label is replaced by the custom
	// resource's.
	AdoptAlways
)

func (p AdoptionPolicy) String() string {
	switch p {
	case AdoptNever:
		return "AdoptNever"
	case AdoptAlways:
		return "AdoptAlways"
	}
	return "AdoptIfUnowned"
}

// WithAdoption sets the adoption policy of the resource. Defaults to
// AdoptIfUnowned.
func WithAdoption(p AdoptionPolicy) Option { return func(o *options) { o.adoption = p } }

// Adopter is a resource with an adoption policy. Resources built by New and
// NewMutable implement it.
type Adopter interface {
	Adoption() AdoptionPolicy
}

// Adoption returns the resource's adoption policy.
func (o *Object[O]) Adoption() AdoptionPolicy { return o.opts.adoption }
