package resources

import (
	"bytes"
	"fmt"
	"text/template"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"
)

// Render executes the text/template tpl with data and decodes the YAML
// result into a new O. A key missing from data, a field unknown to O, or a
// kind other than O's is an error; nothing is escaped.
func Render[O client.Object](tpl string, data any) (O, error) {
	var zero O
	t, err := template.New("resource").Option("missingkey=error").Parse(tpl)
	if err != nil {
		return zero, fmt.Errorf("cannot parse the template: %w", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return zero, fmt.Errorf("cannot render the template: %w", err)
	}
	obj := newObject[O]()
	if err := yaml.UnmarshalStrict(buf.Bytes(), obj); err != nil {
		return zero, fmt.Errorf("cannot decode the rendered template into %T: %w", obj, err)
	}
	// The group, version and kind of O, from a fresh object: obj's own type
	// meta is what the template rendered. Unstructured objects take any kind.
	if _, anyKind := any(obj).(runtime.Unstructured); !anyKind {
		got := obj.GetObjectKind().GroupVersionKind()
		fresh := newObject[O]()
		if want, err := apiutil.GVKForObject(fresh, clientgoscheme.Scheme); err == nil {
			if got.Kind != "" && got.Kind != want.Kind {
				return zero, fmt.Errorf("the template renders a %s, not a %s", got.Kind, want.Kind)
			}
			if got.Version != "" && got.GroupVersion() != want.GroupVersion() {
				return zero, fmt.Errorf("the template renders apiVersion %s, not %s: a %s is %s",
					got.GroupVersion(), want.GroupVersion(), want.Kind, want.GroupVersion())
			}
		} else if want := keyOf(fresh).Kind; got.Kind != "" && want != "" && got.Kind != want {
			return zero, fmt.Errorf("the template renders a %s, not a %s", got.Kind, want)
		}
	}
	return obj, nil
}
