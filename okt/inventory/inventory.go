// Package inventory declares Entry, an object the okt library created for a
// custom resource. An operator's API types hold the inventory in their status
// (a field `Inventory []inventory.Entry json:"inventory,omitempty"` of the
// Status struct), where okt records it with the status write it sends anyway.
//
// The package imports only the standard library and k8s.io/apimachinery, so
// that API packages can import it cheaply.
package inventory

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// Entry is an object okt created for a custom resource. The UID makes sure
// that only that very object is ever pruned: an object deleted and created
// again under the same name (by a user, say) is not okt's.
type Entry struct {
	// APIVersion is the group and version of the object, "apps/v1" or "v1".
	APIVersion string `json:"apiVersion"`
	// Kind is the kind of the object, "Deployment".
	Kind string `json:"kind"`
	// Namespace is the namespace of the object; empty for a cluster-scoped
	// object.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Name is the name of the object.
	Name string `json:"name"`
	// UID is the UID of the object okt created.
	UID types.UID `json:"uid"`
	// Wave is the depth of the object in the order of the owned objects (see
	// resources.DependsOn): 0 when it depends on nothing. When the custom
	// resource is deleted, okt deletes the objects of the highest wave
	// first, and each wave once the one above is gone.
	// +optional
	Wave int32 `json:"wave,omitempty"`
}

// String returns the kind (with its group), namespace and name of the
// object: "Deployment.apps default/web", "ConfigMap default/settings",
// "ClusterRole.rbac.authorization.k8s.io reader".
func (e Entry) String() string {
	kind := e.Kind
	if gv, err := schema.ParseGroupVersion(e.APIVersion); err == nil && gv.Group != "" {
		kind += "." + gv.Group
	}
	if e.Namespace == "" {
		return kind + " " + e.Name
	}
	return kind + " " + e.Namespace + "/" + e.Name
}

// DeepCopyInto copies e into out.
func (e *Entry) DeepCopyInto(out *Entry) {
	*out = *e
}

// DeepCopy returns a copy of e.
func (e *Entry) DeepCopy() *Entry {
	if e == nil {
		return nil
	}
	out := new(Entry)
	e.DeepCopyInto(out)
	return out
}
