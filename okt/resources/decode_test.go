package resources_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/okt-dev/okt/okt/resources"
)

// alertRules is a ConfigMap of Prometheus rules: its braces are Prometheus
// templates, data for okt.
const alertRules = `# Prometheus alert rules
apiVersion: v1
kind: ConfigMap
metadata: {name: rules, labels: {"app.kubernetes.io/name": prometheus}}
data:
  alerts.yaml: |
    groups:
    - name: node
      rules:
      - alert: InstanceDown
        expr: up == 0
        annotations:
          summary: "Instance {{ $labels.instance }} down"
          description: '{{ $labels.instance }} of {{ $labels.job }} is down: {{ printf "%.0f" $value }}'
`

func TestDecodeIsLiteral(t *testing.T) {
	got, err := resources.Decode[*corev1.ConfigMap](alertRules)
	if err != nil {
		t.Fatal(err)
	}
	want := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "rules",
			Labels: map[string]string{"app.kubernetes.io/name": "prometheus"}},
		Data: map[string]string{"alerts.yaml": `groups:
- name: node
  rules:
  - alert: InstanceDown
    expr: up == 0
    annotations:
      summary: "Instance {{ $labels.instance }} down"
      description: '{{ $labels.instance }} of {{ $labels.job }} is down: {{ printf "%.0f" $value }}'
`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode() (-want +got):\n%s", diff)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, manifest, want string
	}{
		{"unknown field", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndatta: {k: v}\n",
			`cannot decode the manifest into *v1.ConfigMap`},
		{"duplicate field", "apiVersion: v1\nkind: ConfigMap\ndata: {a: '1'}\ndata: {b: '2'}\n", "cannot decode the manifest"},
		{"not YAML", "metadata: {name: a\n", "cannot decode the manifest"},
		{"other kind", "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n", "the manifest is a Secret, not a ConfigMap"},
		{"old apiVersion", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n",
			"the manifest has apiVersion extensions/v1beta1, not apps/v1: a Deployment is apps/v1"},
		// A template taken literally is not valid: {{ .Replicas }} is a YAML map.
		{"template", "apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: {{ .Replicas }}}\n", "cannot decode the manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if strings.Contains(tt.manifest, "Deployment") {
				_, err = resources.Decode[*appsv1.Deployment](tt.manifest)
			} else {
				_, err = resources.Decode[*corev1.ConfigMap](tt.manifest)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode() error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDecodeWithoutTypeMetaOrUnstructured(t *testing.T) {
	cm, err := resources.Decode[*corev1.ConfigMap]("metadata: {name: bare}\n")
	if err != nil || cm.Name != "bare" {
		t.Errorf("Decode() = %v, %v", cm, err)
	}
	u, err := resources.Decode[*unstructured.Unstructured]("apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: c}\nspec: {cron: '{{ x }}'}\n")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resources.Key{Group: "example.com", Kind: "CronTab", Name: "c"}, resources.New(u).Key()); diff != "" {
		t.Errorf("Key() (-want +got):\n%s", diff)
	}
}

func ExampleDecode() {
	// The manifest is the object: the Prometheus template in it is data.
	const manifest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: rules # set for each custom resource below
data:
  summary: "Instance {{ $labels.instance }} down"
`
	cm, err := resources.Decode[*corev1.ConfigMap](manifest)
	if err != nil {
		fmt.Println(err)
		return
	}
	cm.SetName("my-app-rules") // one per custom resource: cr.Name + "-rules"
	cm.SetNamespace("demo")
	fmt.Println(resources.New(cm).Key(), cm.Data["summary"])

	_, err = resources.Decode[*corev1.Secret]("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	fmt.Println(err)
	// Output:
	// ConfigMap demo/my-app-rules Instance {{ $labels.instance }} down
	// the manifest is a ConfigMap, not a Secret
}
