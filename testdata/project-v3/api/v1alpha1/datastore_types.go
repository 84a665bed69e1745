package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/okt-dev/okt/okt/inventory"
	"github.com/okt-dev/okt/okt/lifecycle"
)

// EDIT THIS FILE!  THIS IS SCAFFOLDING FOR YOU TO OWN!
// NOTE: json tags are required.  Any new fields you add must have json tags for the fields to be serialized.

// DatastoreSpec defines the desired state of Datastore.
type DatastoreSpec struct {
	// INSERT ADDITIONAL SPEC FIELDS - desired state of cluster
	// Important: Run "make" to regenerate code after modifying this file

	// Foo is an example field of Datastore. Edit datastore_types.go to remove/update
	Foo string `json:"foo,omitempty"`
}

// DatastoreStatus defines the observed state of Datastore.
type DatastoreStatus struct {
	// INSERT ADDITIONAL STATUS FIELD - define observed state of cluster
	// Important: Run "make" to regenerate code after modifying this file

	// Conditions are the latest observations of the Datastore's state. The okt
	// library sets "Ready" (and "Stalled" when it gives up).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`

	// Inventory lists the objects the okt library created for this Datastore, so
	// that it deletes them once they are no longer wanted. Managed by okt.
	// +optional
	Inventory []inventory.Entry `json:"inventory,omitempty"`

	// Lifecycle is where the Datastore's application stands in its lifecycle
	// (Deploying, Running, Upgrading, Degraded), kept here so that a
	// restarted operator resumes where it was.
	// +optional
	Lifecycle lifecycle.Status `json:"lifecycle,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status

// Datastore is the Schema for the datastores API.
type Datastore struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DatastoreSpec   `json:"spec,omitempty"`
	Status DatastoreStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// DatastoreList contains a list of Datastore.
type DatastoreList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Datastore `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Datastore{}, &DatastoreList{})
}
