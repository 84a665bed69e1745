package testapi

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/okt-dev/okt/okt/inventory"
)

// GizmoStatus is the status okt create api scaffolds: conditions, and the
// inventory of the objects okt created, which okt records here rather than
// in an annotation.
type GizmoStatus struct {
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	Inventory  []inventory.Entry  `json:"inventory,omitempty"`
}

// Gizmo is a Widget whose status has room for the inventory.
type Gizmo struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WidgetSpec  `json:"spec,omitempty"`
	Status            GizmoStatus `json:"status,omitempty"`
}

// GizmoList is a list of Gizmos.
type GizmoList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Gizmo `json:"items"`
}

// LegacyGizmoKind is the kind of a CustomResourceDefinition older than the
// Gizmo type: its status schema has no inventory, so the API server drops
// the one okt writes. Register Gizmo under this kind (AddLegacyGizmo) in a
// scheme of its own to act an operator whose CRD was not updated.
const LegacyGizmoKind = "LegacyGizmo"

// AddLegacyGizmo registers Gizmo and GizmoList as LegacyGizmo and
// LegacyGizmoList, and nothing else: a scheme holds a Go type under one kind.
func AddLegacyGizmo(s *runtime.Scheme) error {
	s.AddKnownTypeWithName(GroupVersion.WithKind(LegacyGizmoKind), &Gizmo{})
	s.AddKnownTypeWithName(GroupVersion.WithKind(LegacyGizmoKind+"List"), &GizmoList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}

// DeepCopyInto copies g into out.
func (g *Gizmo) DeepCopyInto(out *Gizmo) {
	*out = *g
	out.TypeMeta = g.TypeMeta
	g.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	g.Spec.DeepCopyInto(&out.Spec)
	out.Status.Conditions = copyConditions(g.Status.Conditions)
	if g.Status.Inventory != nil {
		out.Status.Inventory = make([]inventory.Entry, len(g.Status.Inventory))
		for i := range g.Status.Inventory {
			g.Status.Inventory[i].DeepCopyInto(&out.Status.Inventory[i])
		}
	}
}

// DeepCopy returns a copy of g.
func (g *Gizmo) DeepCopy() *Gizmo {
	if g == nil {
		return nil
	}
	out := new(Gizmo)
	g.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (g *Gizmo) DeepCopyObject() runtime.Object { return g.DeepCopy() }

// DeepCopyObject implements runtime.Object.
func (l *GizmoList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &GizmoList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	if l.Items != nil {
		out.Items = make([]Gizmo, len(l.Items))
		for i := range l.Items {
			l.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

// GizmoCRD returns the CustomResourceDefinition of Gizmo. Its status schema
// is the one controller-gen writes for GizmoStatus: unknown fields are
// dropped, the inventory is kept.
func GizmoCRD() *apiextensionsv1.CustomResourceDefinition {
	str := apiextensionsv1.JSONSchemaProps{Type: "string"}
	return gizmoCRD("gizmos", "gizmo", "Gizmo", map[string]apiextensionsv1.JSONSchemaProps{
		"inventory": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
			Type:     "object",
			Required: []string{"apiVersion", "kind", "name", "uid"},
			Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"apiVersion": str, "kind": str, "namespace": str, "name": str, "uid": str,
				"wave": {Type: "integer", Format: "int32"},
			},
		}}},
	})
}

// LegacyGizmoCRD returns the CustomResourceDefinition of LegacyGizmo: that
// of Gizmo before its status had the inventory.
func LegacyGizmoCRD() *apiextensionsv1.CustomResourceDefinition {
	return gizmoCRD("legacygizmos", "legacygizmo", LegacyGizmoKind, nil)
}

func gizmoCRD(plural, singular, kind string, extraStatus map[string]apiextensionsv1.JSONSchemaProps) *apiextensionsv1.CustomResourceDefinition {
	preserve := true
	status := map[string]apiextensionsv1.JSONSchemaProps{
		"conditions": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
			Type: "object", XPreserveUnknownFields: &preserve,
		}}},
	}
	for k, v := range extraStatus {
		status[k] = v
	}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + GroupVersion.Group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: GroupVersion.Group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{
				Plural: plural, Singular: singular, Kind: kind, ListKind: kind + "List",
			},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: GroupVersion.Version, Served: true, Storage: true,
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"spec":   {Type: "object", XPreserveUnknownFields: &preserve},
						"status": {Type: "object", Properties: status},
					},
				}},
			}},
		},
	}
}
