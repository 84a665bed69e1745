package scaffolds_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/scaffolds"
)

type crData struct {
	Name string
	Spec struct{ Image string }
}

func TestPrepareManifestRenders(t *testing.T) {
	cm := scaffolds.DefaultKinds()["ConfigMap"]
	tests := map[string]string{
		"template": configMapTemplate,
		"no name":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    a: b\ndata:\n  k: v\n",
		"crlf":     "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n",
		"doc mark": "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: x\n",
	}
	for name, manifest := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := scaffolds.PrepareManifest([]byte(manifest), cm, "conf")
			if err != nil {
				t.Fatal(err)
			}
			data := crData{Name: "cr"}
			data.Spec.Image = "memcached:1.6"
			obj, err := resources.Render[*corev1.ConfigMap](tpl, data)
			if err != nil {
				t.Fatalf("%v\n%s", err, tpl)
			}
			if obj.Name != "cr-conf" {
				t.Errorf("name = %q, want cr-conf", obj.Name)
			}
		})
	}
}

func TestPrepareManifestErrors(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	tests := []struct {
		name, manifest, kind, want string
	}{
		{"empty", "  \n", "ConfigMap", "empty"},
		{"two objects", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n", "ConfigMap", "holds 2 objects"},
		{"other kind", serviceManifest, "Deployment", `is a "Service", not a Deployment`},
		{"other kind templated", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Name }}\n", "ConfigMap", `is a "Secret"`},
		{"old apiVersion", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a\n", "HorizontalPodAutoscaler", `"autoscaling/v2"`},
		{"not yaml", "apiVersion: v1\nkind: ConfigMap\n  bad: [\n", "ConfigMap", "not valid YAML"},
		{"unknown field", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndatta:\n  k: v\n", "ConfigMap", "not a valid ConfigMap"},
		{"bad template", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Name\n", "ConfigMap", "not a valid text/template"},
		{"no metadata", "apiVersion: v1\nkind: ConfigMap\ndata:\n  k: v\n", "ConfigMap", "no metadata"},
		{"flow metadata", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "ConfigMap", "as a block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scaffolds.PrepareManifest([]byte(tt.manifest), kinds[tt.kind], "x")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
