package scaffolds_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/scaffolds"
)

type crData struct {
	Name string
	Spec struct {
		Image string
		Size  int32
	}
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../hack/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPrepareManifestTemplate(t *testing.T) {
	cm := scaffolds.DefaultKinds()["ConfigMap"]
	tests := map[string]struct{ manifest, want string }{
		"template":    {configMapTemplate, "memcached:1.6"},
		"no name":     {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    a: b\ndata:\n  image: '{{ .Spec.Image }}'\n", "memcached:1.6"},
		"crlf":        {"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\ndata:\r\n  image: {{ .Spec.Image }}\r\n", "memcached:1.6"},
		"doc mark":    {"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: x\ndata:\n    image: x{{ .Spec.Size }}\n", "x3"},
		"flow":        {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {image: \"{{ .Spec.Image }}\"}\n", "memcached:1.6"},
		"no metadata": {"apiVersion: v1\nkind: ConfigMap\ndata:\n  image: {{ printf \"%s\" .Spec.Image }}\n", "memcached:1.6"},
		"actions on their own lines": {`apiVersion: v1
kind: ConfigMap
metadata:
  name: x
data:
  {{- if .Spec.Image }}
  image: {{ .Spec.Image }}
  {{- end }}
  {{- with .Spec.Image }}{{ if eq . "memcached:1.6" }}
  first: "{{ printf "%.1s" . }}"
  {{- end }}{{ end }}
  size: "{{ .Spec.Size }}" # a comment
`, "memcached:1.6"},
		"escaped braces": {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image: '{{ .Spec.Image }}'\n  rule: '{{\"{{\"}} $labels.instance {{\"}}\"}}'\n", "memcached:1.6"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := scaffolds.PrepareManifest([]byte(tt.manifest), cm, "conf", true)
			if err != nil {
				t.Fatal(err)
			}
			data := crData{Name: "cr"}
			data.Spec.Image, data.Spec.Size = "memcached:1.6", 3
			obj, err := resources.Render[*corev1.ConfigMap](tpl, data)
			if err != nil {
				t.Fatalf("%v\n%s", err, tpl)
			}
			if obj.Name != "cr-conf" {
				t.Errorf("name = %q, want cr-conf\n%s", obj.Name, tpl)
			}
			if obj.Data["image"] != tt.want {
				t.Errorf("data.image = %q, want %q\n%s", obj.Data["image"], tt.want, tpl)
			}
			if name == "escaped braces" && obj.Data["rule"] != "{{ $labels.instance }}" {
				t.Errorf("data.rule = %q\n%s", obj.Data["rule"], tpl)
			}
			if name == "actions on their own lines" && (obj.Data["first"] != "m" || obj.Data["size"] != "3") {
				t.Errorf("data = %v\n%s", obj.Data, tpl)
			}
		})
	}
}

// sameObject checks that the prepared text decodes to the object of the
// manifest, but for its name.
func sameObject[O client.Object](t *testing.T, manifest []byte, text, name string) {
	t.Helper()
	want, err := resources.Decode[O](string(manifest))
	if err != nil {
		t.Fatal(err)
	}
	want.SetName(name)
	got, err := resources.Decode[O](text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the prepared manifest is another object (-manifest +prepared):\n%s\n%s", diff, text)
	}
}

func TestPrepareManifestLiteral(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	for _, tt := range []struct {
		file, kind string
		check      func(t *testing.T, manifest []byte, text, name string)
	}{
		{"php-apache-deployment.yaml", "Deployment", sameObject[*appsv1.Deployment]},
		{"commented-service.yaml", "Service", sameObject[*corev1.Service]},
		{"alert-rules-configmap.yaml", "ConfigMap", sameObject[*corev1.ConfigMap]},
	} {
		manifest := testdata(t, tt.file)
		text, err := scaffolds.PrepareManifest(manifest, kinds[tt.kind], "x", false)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		tt.check(t, manifest, text, "x")
	}

	// Flow style, as kubernetes.io publishes some manifests.
	text, err := scaffolds.PrepareManifest(testdata(t, "php-apache-deployment.yaml"), kinds["Deployment"], "web", false)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := resources.Decode[*appsv1.Deployment](text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if dep.Name != "web" || dep.Labels["run"] != "php-apache" || dep.Spec.Template.Spec.Containers[0].Resources.Limits.Cpu().String() != "500m" {
		t.Errorf("decoded %+v\n%s", dep.ObjectMeta, text)
	}
	for _, s := range []string{"metadata: {name: web, labels: {run: php-apache}}", "# The php-apache Deployment of the HorizontalPodAutoscaler"} {
		if !strings.Contains(text, s) {
			t.Errorf("the manifest lacks %q:\n%s", s, text)
		}
	}

	// Comments and quoted keys are kept.
	text, err = scaffolds.PrepareManifest(testdata(t, "commented-service.yaml"), kinds["Service"], "web", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"# the name is replaced for each custom resource\n  name: \"web\"\n",
		`"app.kubernetes.io/name": 'web' # quoted key and value`, "# ClusterIP is the default", "# the port users call",
		"# end of the Service", `apiVersion: "v1"`} {
		if !strings.Contains(text, s) {
			t.Errorf("the manifest lacks %q:\n%s", s, text)
		}
	}
	if _, err := resources.Decode[*corev1.Service](text); err != nil {
		t.Error(err)
	}

	// Prometheus templates are data.
	manifest := testdata(t, "alert-rules-configmap.yaml")
	text, err = scaffolds.PrepareManifest(manifest, kinds["ConfigMap"], "alerts", false)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := resources.Decode[*corev1.ConfigMap](text)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := resources.Decode[*corev1.ConfigMap](string(manifest))
	if err != nil {
		t.Fatal(err)
	}
	if cm.Name != "alerts" || !cmp.Equal(cm.Data, orig.Data) || !cmp.Equal(cm.Labels, orig.Labels) {
		t.Errorf("decoded %s %v, want the data of the manifest\n%s", cm.Name, cm.Data, text)
	}
	if !strings.Contains(cm.Data["alert-rules.yaml"], `summary: "Instance {{ $labels.instance }} down"`) {
		t.Errorf("the braces are not kept literally:\n%s", cm.Data["alert-rules.yaml"])
	}

	// A name YAML 1.1 reads as a boolean stays a string.
	for _, m := range []string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "apiVersion: v1\nkind: ConfigMap\n"} {
		text, err := scaffolds.PrepareManifest([]byte(m), kinds["ConfigMap"], "yes", false)
		if err != nil {
			t.Fatal(err)
		}
		if cm, err := resources.Decode[*corev1.ConfigMap](text); err != nil || cm.Name != "yes" {
			t.Errorf("%q: decoded %v, %v\n%s", m, cm, err, text)
		}
	}

	// Without metadata, or with an empty one, the name is added.
	for _, m := range []string{"apiVersion: v1\nkind: ConfigMap\ndata: {k: v}\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: # none\ndata: {k: v}\n"} {
		text, err := scaffolds.PrepareManifest([]byte(m), kinds["ConfigMap"], "conf", false)
		if err != nil {
			t.Fatal(err)
		}
		if cm, err := resources.Decode[*corev1.ConfigMap](text); err != nil || cm.Name != "conf" {
			t.Errorf("%q: decoded %v, %v\n%s", m, cm, err, text)
		}
	}
}

func TestPrepareManifestErrors(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	tests := []struct {
		name, manifest, kind string
		template             bool
		want                 string
	}{
		{"empty", "  \n", "ConfigMap", false, "empty"},
		{"two objects", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n", "ConfigMap", false, "holds 2 objects"},
		{"comments only", "# nothing\n---\n# still nothing\n", "ConfigMap", false, "holds 0 objects"},
		{"not an object", "- a\n- b\n", "ConfigMap", false, "not an object"},
		{"other kind", serviceManifest, "Deployment", false, `is a "Service", not a Deployment`},
		{"other kind templated", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Name }}\n", "ConfigMap", true, `is a "Secret"`},
		{"old apiVersion", "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: a\n", "HorizontalPodAutoscaler", false, `"autoscaling/v2"`},
		{"not yaml", "apiVersion: v1\nkind: ConfigMap\n  bad: [\n", "ConfigMap", false, "not valid YAML"},
		{"unknown field", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndatta:\n  k: v\n", "ConfigMap", false, "not a valid ConfigMap"},
		{"unknown field templated", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndatta:\n  k: {{ .Name }}\n", "ConfigMap", true, `not a valid ConfigMap: error unmarshaling JSON: while decoding JSON: json: unknown field "datta"`},
		{"bad template", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Name\n", "ConfigMap", true,
			`drop --template to take the manifest literally, or escape each as {{"{{"}} and {{"}}"}}`},
		{"prometheus rules as a template", string(testdata(t, "alert-rules-configmap.yaml")), "ConfigMap", true,
			`drop --template to take the manifest literally`},
		{"undefined variable", "apiVersion: v1\nkind: ConfigMap\ndata:\n  summary: 'Instance {{ $labels.instance }} down'\n", "ConfigMap", true,
			`undefined variable "$labels"; if its {{ }} are data (Prometheus, Alertmanager or Grafana templates), drop --template`},
		{"template without --template", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: {{ .Spec.Size }}\n", "Deployment", false,
			"pass --template to render the manifest"},
		{"template key without --template", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Name }}\n", "ConfigMap", false,
			"pass --template to render the manifest"},
		{"metadata list", "apiVersion: v1\nkind: ConfigMap\nmetadata: [a]\n", "ConfigMap", false, "not a valid ConfigMap"},
		{"template not YAML", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b {{ .Name }}: c\n", "ConfigMap", true, "put actions inside values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scaffolds.PrepareManifest([]byte(tt.manifest), kinds[tt.kind], "x", tt.template)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTemplateHint(t *testing.T) {
	if h := scaffolds.TemplateHint([]byte("spec:\n  replicas: {{ .Spec.Size }}\n")); !strings.Contains(h, "pass --template") {
		t.Errorf("hint = %q", h)
	}
	if h := scaffolds.TemplateHint(testdata(t, "alert-rules-configmap.yaml")); h != "" {
		t.Errorf("Prometheus templates are data, hint = %q", h)
	}
}
