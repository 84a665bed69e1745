package resources

import (
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"
)

// Decode decodes the YAML (or JSON) manifest into a new O, literally: its
// text is the object, and nothing in it is executed or escaped, so
// Go-template braces such as Prometheus' "{{ $labels.instance }}" reach the
// object as they are written. A field unknown to O, a duplicate field, or a
// kind or apiVersion other than O's is an error, as with Render; a manifest
// without kind and apiVersion is taken as an O.
//
// The manifest's name and namespace are kept: set them on the result for
// each custom resource (obj.SetName(cr.Name + "-rules")). Use Render when
// the manifest is a text/template to execute with the custom resource.
func Decode[O client.Object](manifest string) (O, error) {
	return decodeStrict[O]([]byte(manifest), source{decoded: "the manifest", kind: "the manifest is", version: "the manifest has"})
}

// source words the errors of decodeStrict for what was decoded: "cannot
// decode <decoded> into ...", "<kind> a Secret, not a ConfigMap",
// "<version> apiVersion v1beta1, not v1".
type source struct {
	decoded, kind, version string
}

// decodeStrict decodes data strictly into a new O and checks its kind and
// apiVersion against O's: the one decoding step of Render and Decode.
func decodeStrict[O client.Object](data []byte, src source) (O, error) {
	var zero O
	if t := reflect.TypeOf((*O)(nil)).Elem(); t.Kind() != reflect.Pointer {
		return zero, fmt.Errorf("cannot decode %s into a %s: name a concrete type, such as *corev1.ConfigMap or *unstructured.Unstructured", src.decoded, t)
	}
	obj := newObject[O]()
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		return zero, fmt.Errorf("cannot decode %s into %T: %w", src.decoded, obj, err)
	}
	if err := checkKind(obj, newObject[O](), src); err != nil {
		return zero, err
	}
	return obj, nil
}

// checkKind checks that the type meta decoded into obj, when there is one,
// names the kind and apiVersion of fresh, a new object of the same Go type
// (obj's own type meta is what was decoded). Unstructured objects take any
// kind.
func checkKind(obj, fresh client.Object, src source) error {
	if _, anyKind := any(obj).(runtime.Unstructured); anyKind {
		return nil
	}
	got := obj.GetObjectKind().GroupVersionKind()
	want, err := apiutil.GVKForObject(fresh, clientgoscheme.Scheme)
	if err != nil {
		if want := keyOf(fresh).Kind; got.Kind != "" && want != "" && got.Kind != want {
			return fmt.Errorf("%s a %s, not a %s", src.kind, got.Kind, want)
		}
		return nil
	}
	if got.Kind != "" && got.Kind != want.Kind {
		return fmt.Errorf("%s a %s, not a %s", src.kind, got.Kind, want.Kind)
	}
	if got.Version != "" && got.GroupVersion() != want.GroupVersion() {
		return fmt.Errorf("%s apiVersion %s, not %s: a %s is %s",
			src.version, got.GroupVersion(), want.GroupVersion(), want.Kind, want.GroupVersion())
	}
	return nil
}
