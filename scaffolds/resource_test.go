package scaffolds_test

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/afero"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"

	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

// oktProject returns a project with the okt API Memcached whose spec has an
// Image and a Size.
func oktProject(t *testing.T) (afero.Fs, config.Config, resource.Resource) {
	t.Helper()
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	if _, err := (scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}).Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	p := "api/v1alpha1/memcached_types.go"
	// After go/v4's Foo field (Foo *string since kubebuilder v4.16, Foo string before).
	types := strings.Replace(read(t, fsys, p), "`json:\"foo,omitempty\"`",
		"`json:\"foo,omitempty\"`\n\tImage string `json:\"image,omitempty\"`\n\tSize int32 `json:\"size,omitempty\"`", 1)
	formatted, err := format.Source([]byte(types))
	if err != nil {
		t.Fatal(err)
	}
	if err := afero.WriteFile(fsys, p, formatted, 0o644); err != nil {
		t.Fatal(err)
	}
	return fsys, cfg, res
}

const configMapTemplate = `# a config map
apiVersion: v1
kind: ConfigMap
metadata:
  name: whatever
  labels:
    app: memcached
data:
  image: "{{ .Spec.Image }}"
`

const serviceManifest = `# see ` + "`kubectl explain service`" + `
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - port: 11211
    name: memcached
`

func TestResourceAllKinds(t *testing.T) {
	fsys, cfg, owner := oktProject(t)
	var all []scaffolds.Resource
	for _, name := range scaffolds.DefaultKinds().Names() {
		all = append(all, scaffolds.Resource{Config: cfg, Owner: owner, Kind: scaffolds.DefaultKinds()[name],
			Name: "my-" + strings.ToLower(name)})
	}
	kinds := scaffolds.DefaultKinds()
	all = append(all,
		scaffolds.Resource{Config: cfg, Owner: owner, Kind: kinds["ConfigMap"], Name: "alerts", Manifest: testdata(t, "alert-rules-configmap.yaml")},
		scaffolds.Resource{Config: cfg, Owner: owner, Kind: kinds["Deployment"], Name: "php", Manifest: testdata(t, "php-apache-deployment.yaml")},
		scaffolds.Resource{Config: cfg, Owner: owner, Kind: kinds["ConfigMap"], Name: "templated", Manifest: []byte(configMapTemplate), Template: true},
		scaffolds.Resource{Config: cfg, Owner: owner, Kind: kinds["Service"], Name: "plain", Manifest: []byte(serviceManifest)},
	)
	ctrlPath := "internal/controller/memcached_controller.go"
	for _, r := range all {
		changed, err := r.Scaffold(fsys)
		if err != nil {
			t.Fatalf("%s %s: %v", r.Kind.Kind, r.Name, err)
		}
		if diff := cmp.Diff([]string{r.Path(), ctrlPath}, changed); diff != "" {
			t.Errorf("%s: changed files (-want +got):\n%s", r.Kind.Kind, diff)
		}
		parses(t, r.Path(), read(t, fsys, r.Path()))
	}
	ctrl := read(t, fsys, ctrlPath)
	parses(t, ctrlPath, ctrl)
	for _, r := range all {
		if n := strings.Count(ctrl, r.FuncName()+","); n != 1 {
			t.Errorf("%s registered %d times", r.FuncName(), n)
		}
	}
	for _, s := range []string{"Owns(&appsv1.Deployment{}).", "Owns(&corev1.ConfigMap{}).",
		"// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete",
		"// +kubebuilder:rbac:groups=core,resources=services,verbs=get;list;watch;create;update;patch;delete",
		"// +kubebuilder:rbac:groups=autoscaling,resources=horizontalpodautoscalers,",
		`appsv1 "k8s.io/api/apps/v1"`} {
		if n := strings.Count(ctrl, s); n != 1 {
			t.Errorf("%q appears %d times in the controller, want 1", s, n)
		}
	}
	depPath := all[slicesIndex(all, "Deployment")].Path()
	if depPath != "internal/controller/memcached_my_deployment_deployment.go" {
		t.Errorf("Deployment path = %s", depPath)
	}
	dep := read(t, fsys, depPath)
	for _, s := range []string{"image := cr.Spec.Image", "replicas := cr.Spec.Size", `name := cr.Name + "-my-deployment"`,
		"func newMemcachedMyDeploymentDeployment(cr *cachev1alpha1.Memcached) (resources.Resource, error)"} {
		if !strings.Contains(dep, s) {
			t.Errorf("the Deployment stub lacks %q:\n%s", s, dep)
		}
	}
	tpl := read(t, fsys, all[len(all)-2].Path())
	for _, s := range []string{"resources.Render[*corev1.ConfigMap](memcachedTemplatedConfigMapManifest, cr)",
		"  name: {{ .Name }}-templated\n", `image: "{{ .Spec.Image }}"`, "# a config map", "as a text/template"} {
		if !strings.Contains(tpl, s) {
			t.Errorf("the template resource lacks %q:\n%s", s, tpl)
		}
	}
	if strings.Contains(tpl, "obj.SetName(") {
		t.Errorf("the template resource names its object twice:\n%s", tpl)
	}
	literal := read(t, fsys, all[len(all)-4].Path())
	for _, s := range []string{"resources.Decode[*corev1.ConfigMap](memcachedAlertsConfigMapManifest)",
		`obj.SetName(cr.Name + "-alerts")`, "obj.SetNamespace(cr.Namespace)", "taken literally",
		"  name: alerts\n", `summary: "Instance {{ $labels.instance }} down"`, "# Prometheus alerting rules"} {
		if !strings.Contains(literal, s) {
			t.Errorf("the literal resource lacks %q:\n%s", s, literal)
		}
	}
	if flow := read(t, fsys, all[len(all)-3].Path()); !strings.Contains(flow, "metadata: {name: php, labels: {run: php-apache}}") {
		t.Errorf("the flow-style resource:\n%s", flow)
	}

	// Idempotency: generating again, or after the file was deleted, wires nothing twice.
	snap := scaffoldstest.Snapshot(t, fsys)
	for _, r := range all {
		r.Force = true
		changed, err := r.Scaffold(fsys)
		if err != nil || len(changed) != 0 {
			t.Errorf("%s again: changed %v, err %v", r.Kind.Kind, changed, err)
		}
	}
	if err := fsys.Remove(depPath); err != nil {
		t.Fatal(err)
	}
	changed, err := all[slicesIndex(all, "Deployment")].Scaffold(fsys)
	if err != nil || !cmp.Equal(changed, []string{depPath}) {
		t.Errorf("after removing the file: changed %v, err %v; want only the file", changed, err)
	}
	if diff := cmp.Diff(snap, scaffoldstest.Snapshot(t, fsys)); diff != "" {
		t.Errorf("re-running changed the project:\n%s", diff)
	}

	compiles(t, fsys)
}

// TestResourceManifestRefusals: a manifest refused leaves the project
// byte-identical, and the error names the fix.
func TestResourceManifestRefusals(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	tests := []struct {
		name     string
		kind     string
		manifest string
		template bool
		want     string
	}{
		{"alert rules as a template", "ConfigMap", string(testdata(t, "alert-rules-configmap.yaml")), true, "drop --template to take the manifest literally"},
		{"undefined variable", "ConfigMap", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '{{ $labels.instance }}'\n", true, `escape each as {{"{{"}} and {{"}}"}}`},
		{"broken template", "ConfigMap", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '{{ .Spec.Image '\n", true, "drop --template"},
		{"template taken literally", "Deployment", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Spec.Size }}\n", false, "pass --template"},
		{"unknown field", "Service", "apiVersion: v1\nkind: Service\nspec: {prots: [{port: 80}]}\n", false, `unknown field "prots"`},
		{"two objects", "Service", serviceManifest + "---\n" + serviceManifest, false, "holds 2 objects"},
		{"other kind", "Service", string(testdata(t, "alert-rules-configmap.yaml")), false, `the manifest is a "ConfigMap", not a Service`},
		{"--template without --from", "Service", "", true, "--template needs --from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys, cfg, owner := oktProject(t)
			before := scaffoldstest.Snapshot(t, fsys)
			r := scaffolds.Resource{Config: cfg, Owner: owner, Kind: kinds[tt.kind], Name: "x", Template: tt.template}
			if tt.manifest != "" {
				r.Manifest = []byte(tt.manifest)
			}
			changed, err := r.Scaffold(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if len(changed) != 0 {
				t.Errorf("changed %v", changed)
			}
			if diff := cmp.Diff(before, scaffoldstest.Snapshot(t, fsys)); diff != "" {
				t.Errorf("the project changed:\n%s", diff)
			}
		})
	}
}

func slicesIndex(rs []scaffolds.Resource, kind string) int {
	for i, r := range rs {
		if r.Kind.Kind == kind && r.Manifest == nil {
			return i
		}
	}
	return -1
}

// compiles copies the project's api and controller packages into this
// module (under testdata, which ./... skips) and vets them: the generated
// code must build against the okt library and k8s.io/api.
func compiles(t *testing.T, fsys afero.Fs) {
	t.Helper()
	if testing.Short() {
		t.Skip("compiling the generated code is skipped in -short mode")
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove("testdata") }) // only if empty
	dir, err := os.MkdirTemp("testdata", "gen-")
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("OKT_KEEP_GEN") == "" {
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	pkg := "github.com/okt-dev/okt/scaffolds/" + filepath.ToSlash(dir)
	files := scaffoldstest.Snapshot(t, fsys)
	for p, content := range files {
		if !strings.HasPrefix(p, "api/") && !strings.HasPrefix(p, "internal/controller/") && !strings.HasPrefix(p, scaffolds.E2ELocalDir+"/") {
			continue
		}
		content = strings.ReplaceAll(content, `"`+scaffoldstest.Repo+`/`, `"`+pkg+`/`)
		dst := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// go/v4's suite starts envtest and logs with zap, which this module does
	// not require: the test only needs its client.
	suite := "package controller\n\nimport \"sigs.k8s.io/controller-runtime/pkg/client\"\n\nvar k8sClient client.Client\n"
	if err := os.WriteFile(filepath.Join(dir, "internal/controller/suite_test.go"), []byte(suite), 0o644); err != nil {
		t.Fatal(err)
	}
	deepcopy := "package v1alpha1\n\nimport \"k8s.io/apimachinery/pkg/runtime\"\n\n" +
		"func (in *Memcached) DeepCopyObject() runtime.Object { out := *in; return &out }\n\n" +
		"func (in *MemcachedList) DeepCopyObject() runtime.Object { out := *in; return &out }\n"
	if err := os.WriteFile(filepath.Join(dir, "api/v1alpha1/zz_deepcopy.go"), []byte(deepcopy), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command("go", "vet", "./"+filepath.ToSlash(dir)+"/...")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("the generated code does not compile: %v\n%s", err, out.String())
	}
	cmd = exec.Command("gofmt", "-l", dir)
	if b, err := cmd.Output(); err != nil || len(b) != 0 {
		t.Errorf("generated files not gofmt-ed (%v): %s", err, b)
	}
}
