package scaffolds_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

const clusterIssuerTemplate = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: issuer
spec:
  selfSigned: {}
  # rendered with the custom resource
  note: "{{ .Spec.Image }}"
`

const caConfigMap = `apiVersion: v1
kind: ConfigMap
data:
  ca.crt: ""
`

const readerClusterRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
`

func TestResolveKind(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	sm := string(testdata(t, "servicemonitor.yaml"))
	manifest := func(apiVersion, kind string) string {
		return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: x\n"
	}
	tests := []struct {
		name string
		req  scaffolds.KindRequest
		want scaffolds.Kind // when err is ""
		err  string
	}{
		{name: "dictionary kind", req: scaffolds.KindRequest{Type: "ClusterRole"}, want: kinds["ClusterRole"]},
		{name: "kind from the manifest", req: scaffolds.KindRequest{Manifest: []byte(serviceManifest)}, want: kinds["Service"]},
		{name: "unstructured, plural guessed", req: scaffolds.KindRequest{Manifest: []byte(sm)},
			want: scaffolds.Kind{Kind: "ServiceMonitor", Group: "monitoring.coreos.com", Version: "v1", Plural: "servicemonitors", Unstructured: true}},
		{name: "unstructured with --type", req: scaffolds.KindRequest{Type: "ServiceMonitor", Manifest: []byte(sm), Plural: "servicemonitors"},
			want: scaffolds.Kind{Kind: "ServiceMonitor", Group: "monitoring.coreos.com", Version: "v1", Plural: "servicemonitors", Unstructured: true}},
		{name: "unstructured template, cluster-scoped", req: scaffolds.KindRequest{Manifest: []byte(clusterIssuerTemplate), Template: true, ClusterScoped: ptr.To(true)},
			want: scaffolds.Kind{Kind: "ClusterIssuer", Group: "cert-manager.io", Version: "v1", Plural: "clusterissuers", Unstructured: true, ClusterScoped: true}},
		{name: "irregular plural given", req: scaffolds.KindRequest{Manifest: []byte(manifest("monitoring.coreos.com/v1", "Prometheus")), Plural: "prometheuses"},
			want: scaffolds.Kind{Kind: "Prometheus", Group: "monitoring.coreos.com", Version: "v1", Plural: "prometheuses", Unstructured: true}},
		{name: "dictionary scope confirmed", req: scaffolds.KindRequest{Type: "Namespace", ClusterScoped: ptr.To(true)}, want: kinds["Namespace"]},

		{name: "unsafe plural: s", req: scaffolds.KindRequest{Manifest: []byte(manifest("monitoring.coreos.com/v1", "Prometheus"))},
			err: `cannot guess the plural of Prometheus safely (it ends in "s"; the guess "prometheuss" may be wrong): pass --plural`},
		{name: "unsafe plural: y", req: scaffolds.KindRequest{Manifest: []byte(manifest("gateway.networking.k8s.io/v1", "Gateway"))},
			err: `cannot guess the plural of Gateway safely (it ends in "y"; the guess "gateways" may be wrong): pass --plural`},
		{name: "unsafe plural: flect disagrees", req: scaffolds.KindRequest{Manifest: []byte(manifest("people.example.com/v1", "Person"))},
			err: `cannot guess the plural of Person safely ("persons", or "people"?): pass --plural`},
		{name: "bad plural", req: scaffolds.KindRequest{Manifest: []byte(sm), Plural: "Service_Monitors"}, err: `--plural: kind ServiceMonitor: plural "Service_Monitors"`},
		{name: "--type and --from disagree", req: scaffolds.KindRequest{Type: "ServiceMonitors", Manifest: []byte(sm)},
			err: `--type ServiceMonitors and the manifest's kind "ServiceMonitor" disagree: fix one of them, or drop --type`},
		{name: "--type in another case", req: scaffolds.KindRequest{Type: "clusterrole"}, err: `unknown --type "clusterrole": did you mean "ClusterRole"?`},
		{name: "manifest kind in another case", req: scaffolds.KindRequest{Manifest: []byte(manifest("apps/v1", "deployment"))},
			err: `--from: the manifest's kind is "deployment": did you mean "Deployment"?`},
		{name: "manifest kind in another case, foreign group", req: scaffolds.KindRequest{Manifest: []byte(manifest("example.com/v1", "configMap"))},
			err: `did you mean "ConfigMap"?`},
		{name: "typo in a dictionary group", req: scaffolds.KindRequest{Manifest: []byte(manifest("apps/v1", "Deploymnet"))},
			err: "the manifest's kind Deploymnet (apps/v1) is a kind of the Kubernetes API that okt does not know: fix the kind if it is a typo"},
		{name: "Kubernetes kind not in the dictionary", req: scaffolds.KindRequest{Manifest: []byte(manifest("v1", "Pod"))},
			err: "add it with --kinds-file, such as:\n  kinds:\n  - kind: Pod\n    group: \n    version: v1\n    importPath: k8s.io/api/core/v1\n    alias: corev1\n    plural: pods\n"},
		{name: "Kubernetes group not in the dictionary", req: scaffolds.KindRequest{Manifest: []byte(manifest("coordination.k8s.io/v1", "Lease"))},
			err: "importPath: k8s.io/api/coordination/v1\n    alias: coordinationv1\n    plural: leases"},
		{name: "group without a dot", req: scaffolds.KindRequest{Manifest: []byte(manifest("app/v1", "Deploy"))},
			err: `the group "app" of the manifest's apiVersion "app/v1" is not a domain`},
		{name: "no apiVersion", req: scaffolds.KindRequest{Manifest: []byte("kind: Widget\nmetadata:\n  name: x\n")}, err: "the manifest has no apiVersion"},
		{name: "no kind", req: scaffolds.KindRequest{Manifest: []byte("apiVersion: example.com/v1\nmetadata:\n  name: x\n")}, err: "the manifest has no kind"},
		{name: "bad kind", req: scaffolds.KindRequest{Manifest: []byte(manifest("example.com/v1", "my-widget"))}, err: `the manifest's kind "my-widget" is not a kind`},
		{name: "bad apiVersion", req: scaffolds.KindRequest{Manifest: []byte(manifest("example.com/v1/x", "Widget"))}, err: `apiVersion "example.com/v1/x" is not group/version`},
		{name: "two objects", req: scaffolds.KindRequest{Manifest: []byte(sm + "---\n" + sm)}, err: "--from: the manifest holds 2 objects"},
		{name: "unknown --type without --from", req: scaffolds.KindRequest{Type: "ServiceMonitor"},
			err: `unknown --type "ServiceMonitor": known types are ClusterRole, ClusterRoleBinding,`},
		{name: "no --type nor --from", req: scaffolds.KindRequest{}, err: "--type is required without --from"},
		{name: "--cluster-scoped on a namespaced kind", req: scaffolds.KindRequest{Type: "ConfigMap", ClusterScoped: ptr.To(true)},
			err: "--cluster-scoped=true: a ConfigMap is namespaced: drop --cluster-scoped"},
		{name: "--cluster-scoped=false on a cluster-scoped kind", req: scaffolds.KindRequest{Manifest: []byte(readerClusterRole), ClusterScoped: ptr.To(false)},
			err: "--cluster-scoped=false: a ClusterRole is cluster-scoped: drop --cluster-scoped"},
		{name: "--plural of a dictionary kind", req: scaffolds.KindRequest{Type: "Ingress", Plural: "ingresss"},
			err: "--plural ingresss: the plural of Ingress is ingresses: drop --plural"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := kinds.Resolve(tt.req)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kind (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGuessPlural(t *testing.T) {
	for kind, want := range map[string]string{"ServiceMonitor": "servicemonitors", "PrometheusRule": "prometheusrules",
		"Certificate": "certificates", "HTTPRoute": "httproutes", "ClusterIssuer": "clusterissuers"} {
		if got, err := scaffolds.GuessPlural(kind); err != nil || got != want {
			t.Errorf("GuessPlural(%s) = %q, %v; want %q", kind, got, err, want)
		}
	}
	for _, kind := range []string{"Prometheus", "Ingress", "Box", "Quiz", "Patch", "Mesh", "Policy", "Person", "Child"} {
		if got, err := scaffolds.GuessPlural(kind); err == nil || !strings.Contains(err.Error(), "pass --plural") {
			t.Errorf("GuessPlural(%s) = %q, %v; want an error asking for --plural", kind, got, err)
		}
	}
}

// TestPrepareManifestUnstructured: the text kept of a manifest of a kind
// without a Go type decodes (or renders) as an unstructured object, named.
func TestPrepareManifestUnstructured(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	sm, err := kinds.Resolve(scaffolds.KindRequest{Manifest: testdata(t, "servicemonitor.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	text, err := scaffolds.PrepareManifest(testdata(t, "servicemonitor.yaml"), sm, "monitor", false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := resources.Decode[*unstructured.Unstructured](string(testdata(t, "servicemonitor.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	want.SetName("monitor")
	got, err := resources.Decode[*unstructured.Unstructured](text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the prepared manifest is another object (-manifest +prepared):\n%s", diff)
	}
	if !strings.Contains(text, "# A ServiceMonitor of the Prometheus Operator") {
		t.Errorf("comments lost:\n%s", text)
	}

	issuer, err := kinds.Resolve(scaffolds.KindRequest{Manifest: []byte(clusterIssuerTemplate), Template: true, ClusterScoped: ptr.To(true)})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := scaffolds.PrepareManifest([]byte(clusterIssuerTemplate), issuer, "issuer", true)
	if err != nil {
		t.Fatal(err)
	}
	type meta struct{ Name, Namespace string }
	data := struct {
		meta
		Spec struct{ Image string }
	}{meta: meta{Name: "cr", Namespace: "ns"}}
	data.Spec.Image = "memcached:1.6"
	obj, err := resources.Render[*unstructured.Unstructured](tpl, data)
	if err != nil {
		t.Fatalf("%v\n%s", err, tpl)
	}
	if obj.GetName() != "ns-cr-issuer" || obj.GetKind() != "ClusterIssuer" || obj.GetNamespace() != "" {
		t.Errorf("rendered %s %s/%s, want ClusterIssuer ns-cr-issuer without namespace\n%s", obj.GetKind(), obj.GetNamespace(), obj.GetName(), tpl)
	}
	if note, _, _ := unstructured.NestedString(obj.Object, "spec", "note"); note != "memcached:1.6" {
		t.Errorf("spec.note = %q\n%s", note, tpl)
	}

	// A cluster-scoped object has no namespace.
	_, err = scaffolds.PrepareManifest([]byte(strings.Replace(readerClusterRole, "  name: reader\n", "  name: reader\n  namespace: default\n", 1)),
		kinds["ClusterRole"], "reader", false)
	if err == nil || !strings.Contains(err.Error(), "a ClusterRole is cluster-scoped, and the manifest gives it a namespace: remove metadata.namespace") {
		t.Errorf("err = %v", err)
	}
}

// TestResourceOwnedObjects scaffolds objects of any kind and scope, in
// order: cluster-scoped ones (stub and manifest), unstructured ones (literal
// and template, namespaced and cluster-scoped) and dependencies between
// them, and compiles the result.
func TestResourceOwnedObjects(t *testing.T) {
	fsys, cfg, owner := oktProject(t)
	kinds := scaffolds.DefaultKinds()
	resolve := func(req scaffolds.KindRequest) scaffolds.Kind {
		t.Helper()
		k, err := kinds.Resolve(req)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	sm := testdata(t, "servicemonitor.yaml")
	res := func(kind scaffolds.Kind, name string, deps ...string) scaffolds.Resource {
		return scaffolds.Resource{Config: cfg, Owner: owner, Kind: kind, Name: name, DependsOn: deps, Kinds: kinds}
	}
	withManifest := func(r scaffolds.Resource, manifest []byte, template bool) scaffolds.Resource {
		r.Manifest, r.Template = manifest, template
		return r
	}
	issuer := resolve(scaffolds.KindRequest{Manifest: []byte(clusterIssuerTemplate), Template: true, ClusterScoped: ptr.To(true)})
	all := []scaffolds.Resource{
		res(kinds["StatefulSet"], "db"),
		res(kinds["Job"], "migrate", "db"),
		res(kinds["ClusterRole"], "reader"),
		res(kinds["ClusterRoleBinding"], "reader", "ClusterRole/reader"),
		withManifest(res(resolve(scaffolds.KindRequest{Manifest: sm}), "monitor", "db", "migrate"), sm, false),
		withManifest(res(issuer, "issuer"), []byte(clusterIssuerTemplate), true),
		withManifest(res(kinds["ConfigMap"], "ca", "issuer", "db"), []byte(caConfigMap), false),
		withManifest(res(kinds["ClusterRole"], "pods", "monitor"), []byte(readerClusterRole), false),
	}
	ctrlPath := "internal/controller/memcached_controller.go"
	for _, r := range all {
		changed, err := r.Scaffold(fsys)
		if err != nil {
			t.Fatalf("%s %s: %v", r.Kind.Kind, r.Name, err)
		}
		if diff := cmp.Diff([]string{r.Path(), ctrlPath}, changed); diff != "" {
			t.Errorf("%s %s: changed files (-want +got):\n%s", r.Kind.Kind, r.Name, diff)
		}
	}
	for path, want := range map[string][]string{
		"internal/controller/memcached_migrate_job.go": {
			"\t// Written once the StatefulSet \"db\" is ready, and deleted before it.\n" +
				"\tdependsOn := resources.DependsOn(\"StatefulSet/\" + cr.Name + \"-db\")\n",
			"\t}, dependsOn), nil\n",
			"ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cr.Namespace, Labels: labels},",
			"okt sets\n// its owner reference.",
		},
		"internal/controller/memcached_reader_clusterrole.go": {
			`name := cr.Namespace + "-" + cr.Name + "-reader"`,
			"ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},",
			"okt ties it to the Memcached by its owner label",
			"\t}), nil\n",
		},
		"internal/controller/memcached_reader_clusterrolebinding.go": {
			`dependsOn := resources.DependsOn("ClusterRole/" + cr.Namespace + "-" + cr.Name + "-reader")`,
			`Kind:     "ClusterRole",`, `Name:      "default",`,
		},
		"internal/controller/memcached_monitor_servicemonitor.go": {
			"func newMemcachedMonitorServiceMonitorObject() *unstructured.Unstructured {",
			`obj.SetAPIVersion("monitoring.coreos.com/v1")`, `obj.SetKind("ServiceMonitor")`,
			"resources.Decode[*unstructured.Unstructured](memcachedMonitorServiceMonitorManifest)",
			`obj.SetName(cr.Name + "-monitor")`, "obj.SetNamespace(cr.Namespace)",
			`dependsOn := resources.DependsOn("StatefulSet/"+cr.Name+"-db", "Job/"+cr.Name+"-migrate")`,
			"// Written once the StatefulSet \"db\" and the Job \"migrate\" are ready, and deleted before them.",
			"return resources.NewMutable(obj, func(desired *unstructured.Unstructured) error {",
			`// return unstructured.SetNestedField(desired.Object, cr.Spec.Foo, "spec", "foo")`,
			"  name: monitor\n", "# A ServiceMonitor of the Prometheus Operator",
		},
		"internal/controller/memcached_issuer_clusterissuer.go": {
			"resources.Render[*unstructured.Unstructured](memcachedIssuerClusterIssuerManifest, cr)",
			"  name: {{ .Namespace }}-{{ .Name }}-issuer\n", `note: "{{ .Spec.Image }}"`,
		},
		"internal/controller/memcached_ca_configmap.go": {
			`dependsOn := resources.DependsOn("ClusterIssuer/"+cr.Namespace+"-"+cr.Name+"-issuer", "StatefulSet/"+cr.Name+"-db")`,
		},
		"internal/controller/memcached_pods_clusterrole.go": {
			`obj.SetName(cr.Namespace + "-" + cr.Name + "-pods")`,
			"names it for each Memcached.",
			`dependsOn := resources.DependsOn("ServiceMonitor/" + cr.Name + "-monitor")`,
		},
	} {
		src := read(t, fsys, path)
		for _, s := range want {
			if !strings.Contains(src, s) {
				t.Errorf("%s lacks %q:\n%s", path, s, src)
			}
		}
	}
	for _, path := range []string{"internal/controller/memcached_issuer_clusterissuer.go", "internal/controller/memcached_pods_clusterrole.go",
		"internal/controller/memcached_reader_clusterrole.go"} {
		if src := read(t, fsys, path); strings.Contains(src, "SetNamespace") || strings.Contains(src, "Namespace: cr.Namespace, Labels") {
			t.Errorf("%s gives a namespace to a cluster-scoped object:\n%s", path, src)
		}
	}

	ctrl := read(t, fsys, ctrlPath)
	for s, n := range map[string]int{
		"Watches(&rbacv1.ClusterRole{}, okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).":                   1,
		"Watches(&rbacv1.ClusterRoleBinding{}, okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).":            1,
		"Owns(newMemcachedMonitorServiceMonitorObject()).":                                                               1,
		"Watches(newMemcachedIssuerClusterIssuerObject(), okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).": 1,
		"Owns(&rbacv1.ClusterRole{})":  0,
		"Owns(&appsv1.StatefulSet{}).": 1,
		"// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=get;list;watch;create;update;patch;delete;bind;escalate\n": 1,
		"// the API server then requires escalate (to create or change them) and bind (to bind them).\n":                                               1,
		"// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=bind\n":                                                    1,
		"// +kubebuilder:rbac:groups=monitoring.coreos.com,resources=servicemonitors,verbs=get;list;watch;create;update;patch;delete\n":                1,
		"// +kubebuilder:rbac:groups=cert-manager.io,resources=clusterissuers,verbs=get;list;watch;create;update;patch;delete\n":                       1,
		"newMemcachedMonitorServiceMonitor,":                  1,
		`"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"`: 0,
	} {
		if got := strings.Count(ctrl, s); got != n {
			t.Errorf("%q appears %d times in the controller, want %d", s, got, n)
		}
	}

	// Again with --force: nothing changes, nothing is added twice.
	snap := scaffoldstest.Snapshot(t, fsys)
	for _, r := range all {
		r.Force = true
		if changed, err := r.Scaffold(fsys); err != nil || len(changed) != 0 {
			t.Errorf("%s %s again: changed %v, err %v", r.Kind.Kind, r.Name, changed, err)
		}
	}
	if diff := cmp.Diff(snap, scaffoldstest.Snapshot(t, fsys)); diff != "" {
		t.Errorf("re-running changed the project:\n%s", diff)
	}

	compiles(t, fsys)
}

// TestResourceOrderRefusals: a --depends-on or a kind refused leaves the
// project byte-identical, and the error names the fix.
func TestResourceOrderRefusals(t *testing.T) {
	kinds := scaffolds.DefaultKinds()
	sm, err := kinds.Resolve(scaffolds.KindRequest{Manifest: testdata(t, "servicemonitor.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		kind     scaffolds.Kind
		resName  string
		manifest string
		deps     []string
		want     string
	}{
		{"unknown dependency", kinds["Job"], "migrate", "", []string{"database"},
			`--depends-on "database": Memcached has no resource named "database" (its resources: ConfigMap/settings, Service/settings, StatefulSet/db): scaffold it first`},
		{"unknown typed dependency", kinds["Job"], "migrate", "", []string{"Deployment/db"}, `Memcached has no resource named "db"`},
		{"itself", kinds["Job"], "migrate", "", []string{"migrate"}, `--depends-on "migrate": the Job "migrate" cannot depend on itself`},
		{"itself, typed", kinds["Job"], "migrate", "", []string{"job/migrate"}, `the Job "migrate" cannot depend on itself`},
		{"ambiguous", kinds["Job"], "migrate", "", []string{"settings"},
			`--depends-on "settings" names 2 resources of Memcached (ConfigMap/settings, Service/settings): write Type/name, such as --depends-on ConfigMap/settings`},
		{"ambiguous with itself", kinds["Job"], "db", "", []string{"db"}, `names 2 resources of Memcached (StatefulSet/db, Job/db)`},
		{"malformed", kinds["Job"], "migrate", "", []string{"StatefulSet/"}, `invalid --depends-on "StatefulSet/"`},
		{"malformed type", kinds["Job"], "migrate", "", []string{"stateful-set/db"}, `invalid --depends-on "stateful-set/db"`},
		{"unstructured without manifest", sm, "monitor", "", nil, "the monitoring.coreos.com/v1 ServiceMonitor has no Go type: give its manifest with --from"},
		{"unstructured manifest of another kind", sm, "monitor", caConfigMap, nil, `the manifest is a "ConfigMap", not a ServiceMonitor`},
		{"cluster-scoped with a namespace", kinds["ClusterRole"], "reader",
			strings.Replace(readerClusterRole, "  name: reader\n", "  name: reader\n  namespace: default\n", 1), nil, "remove metadata.namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys, cfg, owner := oktProject(t)
			for _, r := range []scaffolds.Resource{
				{Config: cfg, Owner: owner, Kind: kinds["StatefulSet"], Name: "db"},
				{Config: cfg, Owner: owner, Kind: kinds["ConfigMap"], Name: "settings"},
				{Config: cfg, Owner: owner, Kind: kinds["Service"], Name: "settings"},
			} {
				if _, err := r.Scaffold(fsys); err != nil {
					t.Fatal(err)
				}
			}
			before := scaffoldstest.Snapshot(t, fsys)
			r := scaffolds.Resource{Config: cfg, Owner: owner, Kind: tt.kind, Name: tt.resName, DependsOn: tt.deps}
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

// TestResourceClusterScopedOwner: a cluster-scoped custom resource owns
// cluster-scoped objects by owner reference: named "<name>-<resource>",
// watched with Owns.
func TestResourceClusterScopedOwner(t *testing.T) {
	fsys, cfg, owner := oktProject(t)
	owner.API.Namespaced = false
	kinds := scaffolds.DefaultKinds()
	for _, r := range []scaffolds.Resource{
		{Config: cfg, Owner: owner, Kind: kinds["Namespace"], Name: "tenant"},
		{Config: cfg, Owner: owner, Kind: kinds["ClusterRole"], Name: "reader", DependsOn: []string{"tenant"}},
	} {
		if _, err := r.Scaffold(fsys); err != nil {
			t.Fatal(err)
		}
	}
	ns := read(t, fsys, "internal/controller/memcached_tenant_namespace.go")
	role := read(t, fsys, "internal/controller/memcached_reader_clusterrole.go")
	ctrl := read(t, fsys, "internal/controller/memcached_controller.go")
	for src, want := range map[string]string{
		ns:   `name := cr.Name + "-tenant"`,
		role: `dependsOn := resources.DependsOn("Namespace/" + cr.Name + "-tenant")`,
		ctrl: "Owns(&corev1.Namespace{}).",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("lacks %q:\n%s", want, src)
		}
	}
	if strings.Contains(ctrl, "Watches(") {
		t.Errorf("a cluster-scoped owner watches with EnqueueOwner:\n%s", ctrl)
	}
}

// TestKindsFileClusterScoped: a kinds file marks a kind cluster-scoped; its
// generic stub gets no namespace, and the controller watches it through the
// owner label.
func TestKindsFileClusterScoped(t *testing.T) {
	kinds, err := scaffolds.LoadKinds([]byte("kinds:\n- kind: ClusterIssuer\n  group: cert-manager.io\n  version: v1\n" +
		"  importPath: github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1\n  alias: certmanagerv1\n" +
		"  plural: clusterissuers\n  clusterScoped: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	k := kinds["ClusterIssuer"]
	if !k.ClusterScoped || k.Unstructured {
		t.Fatalf("kind = %+v", k)
	}
	if _, err := scaffolds.LoadKinds([]byte("kinds:\n- kind: X\n  version: v1\n  importPath: a/b\n  alias: b\n  plural: xs\n  unstructured: true\n")); err == nil {
		t.Errorf("a kinds file may not declare an unstructured kind")
	}
	fsys, cfg, owner := oktProject(t)
	r := scaffolds.Resource{Config: cfg, Owner: owner, Kind: k, Name: "issuer"}
	if _, err := r.Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	src := read(t, fsys, r.Path())
	for _, s := range []string{`name := cr.Namespace + "-" + cr.Name + "-issuer"`, "ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},"} {
		if !strings.Contains(src, s) {
			t.Errorf("lacks %q:\n%s", s, src)
		}
	}
	if ctrl := read(t, fsys, "internal/controller/memcached_controller.go"); !strings.Contains(ctrl,
		"Watches(&certmanagerv1.ClusterIssuer{}, okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).") {
		t.Errorf("controller:\n%s", ctrl)
	}
}
