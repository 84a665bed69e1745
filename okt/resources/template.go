package resources

import (
	"bytes"
	"fmt"
	"text/template"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Render executes the text/template tpl with data and decodes the YAML
// result into a new O. A key missing from data, a field unknown to O, or a
// kind other than O's is an error; nothing is escaped.
//
// Use Decode instead for a manifest whose text is the object as it is,
// Go-template braces included (Prometheus rules, Grafana dashboards...).
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
	return decodeStrict[O](buf.Bytes(), source{decoded: "the rendered template", kind: "the template renders", version: "the template renders"})
}
