package okt

// Tests of statusMap, which encodes only the custom resource's Status field.

import (
	"encoding/json"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

type smSpec struct {
	Size int32             `json:"size,omitempty"`
	Data map[string]string `json:"data,omitempty"`
}

type smStatus struct {
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	Phase      string             `json:"phase,omitempty"`
}

// sm is a custom resource of its own: okt's test types import okt.
type sm struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              smSpec   `json:"spec,omitempty"`
	Status            smStatus `json:"status,omitempty"`
}

func (s *sm) DeepCopyObject() runtime.Object { c := *s; return &c }

// TestStatusMapEncodesTheStatusAlone checks that the status read from the
// Status field alone is the one read from the whole object's encoding, for
// an empty status and a full one.
func TestStatusMapEncodesTheStatusAlone(t *testing.T) {
	full := &sm{
		ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "ns", ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "okt"}}},
		Spec:       smSpec{Size: 2, Data: map[string]string{"k": "v"}},
		Status: smStatus{Conditions: []metav1.Condition{{
			Type: "Ready", Status: metav1.ConditionTrue, Reason: "Ready", Message: "all ready",
			LastTransitionTime: metav1.Date(2026, 12, 7, 20, 0, 0, 0, metav1.Now().Location()), ObservedGeneration: 3,
		}}, Phase: "Running"},
	}
	for name, w := range map[string]*sm{"empty": {ObjectMeta: metav1.ObjectMeta{Name: "w"}}, "full": full} {
		got, err := statusMap(w)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		var whole struct {
			Status map[string]any `json:"status"`
		}
		if err := json.Unmarshal(data, &whole); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, whole.Status) {
			t.Errorf("%s: statusMap = %#v, want %#v (from the whole object)", name, got, whole.Status)
		}
	}
}
