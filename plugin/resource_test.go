package plugin_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/afero"
	"k8s.io/utils/ptr"

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
	for _, name := range []string{"alert-rules-configmap.yaml", "php-apache-deployment.yaml", "commented-service.yaml", "settings-configmap.yaml",
		"servicemonitor.yaml"} {
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
		"bad.yaml":        "apiVersion: v1\nkind: Service\n  oops: [\n",
		"secret.yaml":     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n",
		"kinds.yaml":      "kinds:\n- kind: lower\n",
		"broken.yaml":     "apiVersion: v1\nkind: ConfigMap\ndata:\n  size: '{{ .Spec.Size '\n",
		"replicas.yaml":   "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Spec.Size }}\n",
		"prometheus.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: p\n",
		"lower.yaml":      "apiVersion: apps/v1\nkind: statefulset\nmetadata:\n  name: p\n",
		"pod.yaml":        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n",
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
		{"unsafe plural guess", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "", "prometheus.yaml" }),
			`cannot guess the plural of Prometheus safely (it ends in "s"; the guess "prometheuss" may be wrong): pass --plural`},
		{"--type and --from disagree", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "Prometheuses", "prometheus.yaml" }),
			`--type Prometheuses and the manifest's kind "Prometheus" disagree`},
		{"--type and --from of the dictionary disagree", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "Deployment", "servicemonitor.yaml" }),
			`the manifest is a "ServiceMonitor", not a Deployment (--type)`},
		{"manifest kind in another case", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "", "lower.yaml" }),
			`the manifest's kind is "statefulset": did you mean "StatefulSet"?`},
		{"Kubernetes kind not in the dictionary", nil, with(func(o *plugin.ResourceOptions) { o.Type, o.From = "", "pod.yaml" }),
			"is a kind of the Kubernetes API that okt does not know"},
		{"--cluster-scoped on a namespaced kind", nil, with(func(o *plugin.ResourceOptions) { o.ClusterScoped = ptr.To(true) }),
			"--cluster-scoped=true: a Deployment is namespaced: drop --cluster-scoped"},
		{"--plural of a dictionary kind", nil, with(func(o *plugin.ResourceOptions) { o.Plural = "deploys" }),
			"--plural deploys: the plural of Deployment is deployments"},
		{"--depends-on unknown", nil, with(func(o *plugin.ResourceOptions) { o.DependsOn = []string{"db"} }),
			`--depends-on "db": Memcached has no resource named "db" (it has none yet): scaffold it first`},
		{"--depends-on itself", nil, with(func(o *plugin.ResourceOptions) { o.DependsOn = []string{"memcached"} }),
			`--depends-on "memcached": the Deployment "memcached" cannot depend on itself`},
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

// TestCreateResourceOwnedObjects: a cluster-scoped kind, a kind from a
// manifest without a Go type (plural given, guessed, scope given), and
// --depends-on.
func TestCreateResourceOwnedObjects(t *testing.T) {
	fsys := oktProject(t)
	manifests := files(t, map[string]string{
		"servicemonitor.yaml": hackTestdata(t)["servicemonitor.yaml"],
		"issuer.yaml":         "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: x\nspec:\n  selfSigned: {}\n",
	})
	opts := func(o plugin.ResourceOptions) plugin.ResourceOptions {
		o.Group, o.Version, o.Kind = "cache", "v1alpha1", "Memcached"
		return o
	}
	for _, tt := range []struct {
		opts plugin.ResourceOptions
		file string
		want []string
	}{
		{opts(plugin.ResourceOptions{Type: "StatefulSet", Name: "db"}), "memcached_db_statefulset.go", nil},
		{opts(plugin.ResourceOptions{Type: "ClusterRole", Name: "reader", ClusterScoped: ptr.To(true)}), "memcached_reader_clusterrole.go",
			[]string{`name := cr.Namespace + "-" + cr.Name + "-reader"`}},
		{opts(plugin.ResourceOptions{Name: "monitor", From: "servicemonitor.yaml", Plural: "servicemonitors", DependsOn: []string{"db"}}),
			"memcached_monitor_servicemonitor.go",
			[]string{"resources.Decode[*unstructured.Unstructured](memcachedMonitorServiceMonitorManifest)",
				`dependsOn := resources.DependsOn("StatefulSet/" + cr.Name + "-db")`}},
		{opts(plugin.ResourceOptions{Type: "ClusterIssuer", Name: "issuer", From: "issuer.yaml", ClusterScoped: ptr.To(true),
			DependsOn: []string{"ClusterRole/reader", "monitor"}}),
			"memcached_issuer_clusterissuer.go",
			[]string{`obj.SetName(cr.Namespace + "-" + cr.Name + "-issuer")`,
				`resources.DependsOn("ClusterRole/"+cr.Namespace+"-"+cr.Name+"-reader", "ServiceMonitor/"+cr.Name+"-monitor")`}},
	} {
		changed, err := plugin.CreateResource(fsys, manifests, tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if want := "internal/controller/" + tt.file; len(changed) == 0 || changed[0] != want {
			t.Fatalf("changed %v, want %s first", changed, want)
		}
		src, _ := afero.ReadFile(fsys, changed[0])
		for _, s := range tt.want {
			if !strings.Contains(string(src), s) {
				t.Errorf("%s lacks %q:\n%s", changed[0], s, src)
			}
		}
	}
	ctrl, _ := afero.ReadFile(fsys, "internal/controller/memcached_controller.go")
	for _, s := range []string{
		"Watches(&rbacv1.ClusterRole{}, okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).",
		"Owns(newMemcachedMonitorServiceMonitorObject()).",
		"Watches(newMemcachedIssuerClusterIssuerObject(), okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).",
		"// +kubebuilder:rbac:groups=monitoring.coreos.com,resources=servicemonitors,verbs=get;list;watch;create;update;patch;delete",
		"// +kubebuilder:rbac:groups=cert-manager.io,resources=clusterissuers,verbs=get;list;watch;create;update;patch;delete",
		"// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=get;list;watch;create;update;patch;delete;bind;escalate",
	} {
		if !strings.Contains(string(ctrl), s) {
			t.Errorf("the controller lacks %q:\n%s", s, ctrl)
		}
	}
}

// TestCreateResourceCommandFlags runs the command on a project on disk:
// --from without --type, --plural, --cluster-scoped and a repeated
// --depends-on reach the scaffold.
func TestCreateResourceCommandFlags(t *testing.T) {
	fsys := oktProject(t)
	dir := t.TempDir()
	for p, content := range scaffoldstest.Snapshot(t, fsys) {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	issuer := "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: x\nspec:\n  selfSigned: {}\n"
	if err := os.WriteFile(filepath.Join(dir, "issuer.yaml"), []byte(issuer), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	run := func(args ...string) (string, error) {
		cmd := plugin.NewCreateResourceCommand()
		var out strings.Builder
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"--group", "cache", "--version", "v1alpha1", "--kind", "Memcached"}, args...))
		err := cmd.Execute()
		return out.String(), err
	}
	for _, args := range [][]string{
		{"--type", "StatefulSet", "--name", "db"},
		{"--type", "Service", "--name", "web"},
	} {
		if out, err := run(args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if out, err := run("--type", "ConfigMap", "--name", "x", "--cluster-scoped"); err == nil ||
		!strings.Contains(err.Error(), "a ConfigMap is namespaced") {
		t.Errorf("--cluster-scoped on a ConfigMap: %v\n%s", err, out)
	}
	out, err := run("--from", "issuer.yaml", "--name", "issuer", "--plural", "clusterissuers", "--cluster-scoped",
		"--depends-on", "db", "--depends-on", "Service/web")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "internal/controller/memcached_issuer_clusterissuer.go") {
		t.Errorf("output:\n%s", out)
	}
	src, err := os.ReadFile("internal/controller/memcached_issuer_clusterissuer.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`obj.SetName(cr.Namespace + "-" + cr.Name + "-issuer")`,
		`resources.DependsOn("StatefulSet/"+cr.Name+"-db", "Service/"+cr.Name+"-web")`} {
		if !strings.Contains(string(src), s) {
			t.Errorf("lacks %q:\n%s", s, src)
		}
	}
	ctrl, _ := os.ReadFile("internal/controller/memcached_controller.go")
	if !strings.Contains(string(ctrl), "groups=cert-manager.io,resources=clusterissuers,") ||
		!strings.Contains(string(ctrl), "Watches(newMemcachedIssuerClusterIssuerObject(), okt.EnqueueOwner[") {
		t.Errorf("controller:\n%s", ctrl)
	}
}
