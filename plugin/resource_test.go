package plugin_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/afero"

	"github.com/okt-dev/okt/plugin"
	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

// oktProject returns a project with PROJECT, made by go/v4 and okt, with
// the okt API cache/v1alpha1 Memcached, and, when withOther, the API
// cache/v1alpha1 Plain without a controller.
func oktProject(t *testing.T) afero.Fs {
	t.Helper()
	fsys, cfg := scaffoldstest.NewProject(t)
	if err := cfg.EncodePluginConfig(plugin.Key, plugin.Config{Library: scaffolds.LibraryModule}); err != nil {
		t.Fatal(err)
	}
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	if _, err := (scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}).Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	plain := scaffoldstest.NewResource(cfg, "cache", "v1alpha1", "Plain")
	plain.Controller = false
	if err := cfg.UpdateResource(plain); err != nil {
		t.Fatal(err)
	}
	scaffoldstest.SaveConfig(t, fsys, cfg)
	return fsys
}

func files(t *testing.T, m map[string]string) afero.Fs {
	fsys := afero.NewMemMapFs()
	for p, c := range m {
		if err := afero.WriteFile(fsys, p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fsys
}

// hackTestdata returns the manifests of hack/testdata by file name.
func hackTestdata(t *testing.T) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, name := range []string{"alert-rules-configmap.yaml", "php-apache-deployment.yaml", "commented-service.yaml", "settings-configmap.yaml"} {
		b, err := os.ReadFile("../hack/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = string(b)
	}
	return m
}

func deployment() plugin.ResourceOptions {
	return plugin.ResourceOptions{Group: "cache", Version: "v1alpha1", Kind: "Memcached", Type: "Deployment", Name: "memcached"}
}

func TestCreateResource(t *testing.T) {
	fsys := oktProject(t)
	changed, err := plugin.CreateResource(fsys, afero.NewMemMapFs(), deployment())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"internal/controller/memcached_memcached_deployment.go", "internal/controller/memcached_controller.go"}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	snap := scaffoldstest.Snapshot(t, fsys)
	opts := deployment()
	opts.Force = true
	if changed, err := plugin.CreateResource(fsys, afero.NewMemMapFs(), opts); err != nil || len(changed) != 0 {
		t.Errorf("with --force again: changed %v, err %v", changed, err)
	}
	if diff := cmp.Diff(snap, scaffoldstest.Snapshot(t, fsys)); diff != "" {
		t.Errorf("running again changed the project:\n%s", diff)
	}

	from := plugin.ResourceOptions{Group: "cache", Version: "v1alpha1", Kind: "Memcached", Type: "Service", Name: "memcached",
		From: "svc.yaml"}
	in := files(t, map[string]string{"svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n"})
	if _, err := plugin.CreateResource(fsys, in, from); err != nil {
		t.Fatal(err)
	}

	// Real-world manifests, literally; and a template.
	manifests := files(t, hackTestdata(t))
	for _, tt := range []struct {
		opts plugin.ResourceOptions
		want []string
	}{
		{plugin.ResourceOptions{Type: "ConfigMap", Name: "alerts", From: "alert-rules-configmap.yaml"},
			[]string{"resources.Decode[*corev1.ConfigMap](memcachedAlertsConfigMapManifest)", `obj.SetName(cr.Name + "-alerts")`,
				`summary: "Instance {{ $labels.instance }} down"`}},
		{plugin.ResourceOptions{Type: "Deployment", Name: "php", From: "php-apache-deployment.yaml"},
			[]string{"metadata: {name: php, labels: {run: php-apache}}", `obj.SetName(cr.Name + "-php")`}},
		{plugin.ResourceOptions{Type: "Service", Name: "web", From: "commented-service.yaml"},
			[]string{"# the port users call", `"app.kubernetes.io/name": 'web' # quoted key and value`}},
		{plugin.ResourceOptions{Type: "ConfigMap", Name: "settings", From: "settings-configmap.yaml", Template: true},
			[]string{"resources.Render[*corev1.ConfigMap](memcachedSettingsConfigMapManifest, cr)", "  name: {{ .Name }}-settings\n", `owner: "{{ .Name }}"`}},
	} {
		opts := tt.opts
		opts.Group, opts.Version, opts.Kind = "cache", "v1alpha1", "Memcached"
		changed, err := plugin.CreateResource(fsys, manifests, opts)
		if err != nil {
			t.Fatalf("%s: %v", opts.From, err)
		}
		src, _ := afero.ReadFile(fsys, changed[0])
		for _, s := range tt.want {
			if !strings.Contains(string(src), s) {
				t.Errorf("%s lacks %q:\n%s", changed[0], s, src)
			}
		}
	}

	kindsFile := "kinds:\n- kind: Certificate\n  group: cert-manager.io\n  version: v1\n" +
		"  importPath: github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1\n  alias: certmanagerv1\n  plural: certificates\n"
	ext := plugin.ResourceOptions{Group: "cache", Version: "v1alpha1", Kind: "Memcached", Type: "Certificate", Name: "tls",
		KindsFile: "kinds.yaml"}
	if _, err := plugin.CreateResource(fsys, files(t, map[string]string{"kinds.yaml": kindsFile}), ext); err != nil {
		t.Fatal(err)
	}
	ctrl, _ := afero.ReadFile(fsys, "internal/controller/memcached_controller.go")
	for _, s := range []string{"// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates,", "Owns(&certmanagerv1.Certificate{})."} {
		if !strings.Contains(string(ctrl), s) {
			t.Errorf("controller lacks %q", s)
		}
	}
}

func TestCreateResourceBadInput(t *testing.T) {
	manifests := hackTestdata(t)
	for name, text := range map[string]string{
		"bad.yaml":      "apiVersion: v1\nkind: Service\n  oops: [\n",
		"secret.yaml":   "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
		"kinds.yaml":    "kinds:\n- kind: lower\n",
		"broken.yaml":   "apiVersion: v1\nkind: ConfigMap\ndata:\n  size: '{{ .Spec.Size '\n",
		"replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Spec.Size }}\n",
	} {
		manifests[name] = text
	}
	with := func(f func(o *plugin.ResourceOptions)) plugin.ResourceOptions {
		o := deployment()
		f(&o)
		return o
	}
	tests := []struct {
		name string
		fsys func(t *testing.T) afero.Fs
		opts plugin.ResourceOptions
		want string
	}{
		{"no PROJECT", func(*testing.T) afero.Fs { return afero.NewMemMapFs() }, deployment(), "no PROJECT file"},
		{"unknown type", nil, with(func(o *plugin.ResourceOptions) { o.Type = "Pod" }), `unknown --type "Pod"`},
		{"type case", nil, with(func(o *plugin.ResourceOptions) { o.Type = "deployment" }), `did you mean "Deployment"`},
		{"no type", nil, with(func(o *plugin.ResourceOptions) { o.Type = "" }), "--type is required"},
		{"lowercase kind", nil, with(func(o *plugin.ResourceOptions) { o.Kind = "memcached" }), `invalid --kind "memcached"`},
		{"no kind", nil, with(func(o *plugin.ResourceOptions) { o.Kind = "" }), "--kind is required"},
		{"kind without API", nil, with(func(o *plugin.ResourceOptions) { o.Kind = "Redis" }), "PROJECT has no API cache/v1alpha1 Redis: run `okt create api"},
		{"API without controller", nil, with(func(o *plugin.ResourceOptions) { o.Kind = "Plain" }), "API Plain has no controller"},
		{"controller file missing", func(t *testing.T) afero.Fs {
			fsys := oktProject(t)
			if err := fsys.Remove("internal/controller/memcached_controller.go"); err != nil {
				t.Fatal(err)
			}
			return fsys
		}, deployment(), "memcached_controller.go is missing"},
		{"stock controller", func(t *testing.T) afero.Fs {
			fsys := oktProject(t)
			if err := afero.WriteFile(fsys, "internal/controller/memcached_controller.go", []byte("package controller\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return fsys
		}, deployment(), "was not scaffolded by okt"},
		{"bad name", nil, with(func(o *plugin.ResourceOptions) { o.Name = "My_Name" }), `invalid --name "My_Name"`},
		{"no name", nil, with(func(o *plugin.ResourceOptions) { o.Name = "" }), "--name is required"},
		{"malformed manifest", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "Service", "bad.yaml" }), "--from: the manifest is not valid YAML"},
		{"manifest of another kind", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "Service", "secret.yaml" }), `is a "Secret", not a Service`},
		{"alert rules with --template", nil, with(func(o *plugin.ResourceOptions) {
			o.Type, o.From, o.Template = "ConfigMap", "alert-rules-configmap.yaml", true
		}), "drop --template to take the manifest literally, or escape each as {{\"{{\"}} and {{\"}}\"}}"},
		{"broken template", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From, o.Template = "ConfigMap", "broken.yaml", true }),
			"--from: with --template the manifest is a text/template, and it does not parse"},
		{"template without --template", nil, with(func(o *plugin.ResourceOptions) { o.From = "replicas.yaml" }), "pass --template"},
		{"--template without --from", nil, with(func(o *plugin.ResourceOptions) { o.Template = true }), "--template needs --from"},
		{"missing manifest", nil, with(func(o *plugin.ResourceOptions) { o.From = "nope.yaml" }), "cannot read --from"},
		{"bad kinds file", nil, with(func(o *plugin.ResourceOptions) { o.KindsFile = "kinds.yaml" }), "--kinds-file kinds.yaml"},
		{"name used", func(t *testing.T) afero.Fs {
			fsys := oktProject(t)
			if _, err := plugin.CreateResource(fsys, afero.NewMemMapFs(), deployment()); err != nil {
				t.Fatal(err)
			}
			return fsys
		}, deployment(), `the Deployment resource "memcached" of Memcached already exists`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fsys afero.Fs
			if tt.fsys != nil {
				fsys = tt.fsys(t)
			} else {
				fsys = oktProject(t)
			}
			before := scaffoldstest.Snapshot(t, fsys)
			changed, err := plugin.CreateResource(fsys, files(t, manifests), tt.opts)
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
