package resources_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/okt-dev/okt/okt/resources"
)

const cmTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Name }}
  namespace: {{ .Namespace }}
  labels:
    app: {{ .Name }}
data:
  greeting: "hello {{ .Who }}"
`

func TestRenderConfigMap(t *testing.T) {
	tests := []struct {
		name    string
		tpl     string
		data    any
		want    *corev1.ConfigMap
		wantErr []string // substrings of the error
	}{
		{
			name: "good template, map data",
			tpl:  cmTemplate,
			data: map[string]any{"Name": "cfg", "Namespace": ns, "Who": "world"},
			want: &corev1.ConfigMap{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: ns,
					Labels: map[string]string{"app": "cfg"}},
				Data: map[string]string{"greeting": "hello world"},
			},
		},
		{
			name: "good template, struct data",
			tpl:  cmTemplate,
			data: struct{ Name, Namespace, Who string }{"cfg", ns, "you"},
			want: &corev1.ConfigMap{
				TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: ns,
					Labels: map[string]string{"app": "cfg"}},
				Data: map[string]string{"greeting": "hello you"},
			},
		},
		{
			name: "no type meta",
			tpl:  "metadata: {name: bare}\n",
			want: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "bare"}},
		},
		{
			name:    "missing map key",
			tpl:     cmTemplate,
			data:    map[string]any{"Name": "cfg", "Namespace": ns},
			wantErr: []string{"cannot render the template", "Who"},
		},
		{
			name:    "missing struct field",
			tpl:     cmTemplate,
			data:    struct{ Name, Namespace string }{"cfg", ns},
			wantErr: []string{"cannot render the template", "Who"},
		},
		{
			name:    "unknown field",
			tpl:     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\nspec: {replicas: 1}\n",
			wantErr: []string{"cannot decode the rendered template into *v1.ConfigMap", "spec"},
		},
		{
			name:    "unknown nested field",
			tpl:     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, nmespace: ns}\n",
			wantErr: []string{"cannot decode", "nmespace"},
		},
		{
			name:    "duplicate field",
			tpl:     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\ndata: {b: '2'}\n",
			wantErr: []string{"cannot decode"},
		},
		{
			name:    "wrong type",
			tpl:     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [cfg]}\n",
			wantErr: []string{"cannot decode"},
		},
		{
			name:    "wrong kind",
			tpl:     "apiVersion: v1\nkind: Secret\nmetadata: {name: cfg}\n",
			wantErr: []string{"the template renders a Secret, not a ConfigMap"},
		},
		{
			name:    "parse error",
			tpl:     "metadata: {name: {{ .Name }\n",
			wantErr: []string{"cannot parse the template"},
		},
		{
			name:    "not YAML",
			tpl:     "metadata: {name: cfg\n",
			wantErr: []string{"cannot decode"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resources.Render[*corev1.ConfigMap](tc.tpl, tc.data)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("Render() = %v, want an error", got)
				}
				for _, s := range tc.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				if got != nil {
					t.Errorf("Render() returned %v with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Render() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderDeploymentNothingEscaped(t *testing.T) {
	const tpl = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Replicas }}
  template:
    spec:
      containers:
      - name: web
        image: {{ .Image }}
        args: ["--greeting={{ .Greeting }}"]
`
	got, err := resources.Render[*appsv1.Deployment](tpl, map[string]any{
		"Replicas": 3, "Image": "nginx:1.27", "Greeting": "<b>&'hi'</b>",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := appsv1.DeploymentSpec{
		Replicas: ptr.To[int32](3),
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "web", Image: "nginx:1.27", Args: []string{"--greeting=<b>&'hi'</b>"},
		}}}},
	}
	if diff := cmp.Diff(want, got.Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
	r := resources.New(got)
	if diff := cmp.Diff(resources.Key{Group: "apps", Kind: "Deployment", Name: "web"}, r.Key()); diff != "" {
		t.Errorf("Key() (-want +got):\n%s", diff)
	}
}

func TestRenderWrongGroup(t *testing.T) {
	// Another kind of the same group.
	_, err := resources.Render[*appsv1.Deployment]("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\n", nil)
	if err == nil || !strings.Contains(err.Error(), "renders a StatefulSet, not a Deployment") {
		t.Errorf("Render() = %v, want a wrong kind error", err)
	}
}

func TestRenderWrongAPIVersion(t *testing.T) {
	// The right kind in a group it is not served from any more.
	_, err := resources.Render[*appsv1.Deployment]("apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n", nil)
	if err == nil || !strings.Contains(err.Error(), "renders apiVersion extensions/v1beta1, not apps/v1") {
		t.Errorf("Render() = %v, want a wrong apiVersion error", err)
	}
}

func TestKeyOfTypedObjectComesFromTheScheme(t *testing.T) {
	// A typed object whose type meta names another group still has its
	// real key, so the registry sees it as the duplicate it is.
	d := &appsv1.Deployment{}
	d.APIVersion, d.Kind, d.Name = "extensions/v1beta1", "Deployment", "x"
	reg := resources.NewRegistry()
	if err := reg.Add(resources.New(d)); err != nil {
		t.Fatal(err)
	}
	plain := &appsv1.Deployment{}
	plain.Name = "x"
	if err := reg.Add(resources.New(plain)); err == nil {
		t.Error("the same Deployment was registered twice")
	}
}

func TestRenderUnstructuredTakesAnyKind(t *testing.T) {
	got, err := resources.Render[*unstructured.Unstructured](
		"apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: {{ .Name }}}\nspec: {schedule: '* * * * *'}\n",
		map[string]string{"Name": "c"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resources.Key{Group: "example.com", Kind: "CronTab", Name: "c"}, resources.New(got).Key()); diff != "" {
		t.Errorf("Key() (-want +got):\n%s", diff)
	}
}
