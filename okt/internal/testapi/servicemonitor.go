package testapi

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ServiceMonitorGVK is the kind of the Prometheus operator's ServiceMonitor:
// a custom resource of another operator, whose Go module the tests do not
// import. They handle it as *unstructured.Unstructured.
var ServiceMonitorGVK = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}

// ServiceMonitorCRD returns a CustomResourceDefinition of ServiceMonitor, cut
// down to what the tests use: spec.selector, spec.jobLabel and the
// spec.endpoints list (atomic, as in the Prometheus operator's CRD, which
// declares no list type), and a status subresource with conditions, which
// the tests write as the Prometheus operator would.
func ServiceMonitorCRD() *apiextensionsv1.CustomResourceDefinition {
	preserve := true
	str := apiextensionsv1.JSONSchemaProps{Type: "string"}
	endpoint := apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
		"port": str, "path": str, "interval": str, "scheme": str,
		"honorLabels": {Type: "boolean"},
	}}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "servicemonitors.monitoring.coreos.com"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: ServiceMonitorGVK.Group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{
				Plural: "servicemonitors", Singular: "servicemonitor", Kind: "ServiceMonitor", ListKind: "ServiceMonitorList",
			},
			Scope: apiextensionsv1.NamespaceScoped,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"spec": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
							"jobLabel":  str,
							"selector":  {Type: "object", XPreserveUnknownFields: &preserve},
							"endpoints": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &endpoint}},
						}},
						"status": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
							"observedGeneration": {Type: "integer", Format: "int64"},
							"conditions": {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
								Type: "object", XPreserveUnknownFields: &preserve,
							}}},
						}},
					},
				}},
			}},
		},
	}
}
