package scaffolds_test

import (
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/afero"

	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

func read(t *testing.T, fsys afero.Fs, path string) string {
	t.Helper()
	b, err := afero.ReadFile(fsys, path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parses(t *testing.T, path, src string) {
	t.Helper()
	if _, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ParseComments); err != nil {
		t.Errorf("%s does not parse: %v\n%s", path, err, src)
	}
}

func TestAPIScaffold(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	api := scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}
	changed, err := api.Scaffold(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"api/v1alpha1/memcached_types.go", "internal/controller/memcached_controller.go",
		"internal/controller/memcached_controller_test.go",
		"test/e2e-local/e2e_local_suite_test.go", "test/e2e-local/e2e_local_test.go", "Makefile"}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("changed files (-want +got):\n%s", diff)
	}

	ctrl := read(t, fsys, "internal/controller/memcached_controller.go")
	parses(t, "controller", ctrl)
	for _, s := range []string{
		"type MemcachedReconciler struct {\n\tclient.Client\n\tScheme *runtime.Scheme\n",
		"Recorder record.EventRecorder",
		`r.Recorder = mgr.GetEventRecorderFor("memcached-controller")`,
		"func (r *MemcachedReconciler) SetupWithManager(mgr ctrl.Manager) error",
		"func (r *MemcachedReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error)",
		"okt.New[*cachev1alpha1.Memcached](r.Client, engine, okt.WithEventRecorder(r.Recorder))",
		"engines.NewStepper[*cachev1alpha1.Memcached](memcachedSteps{})",
		"engines.DefaultSteps[*cachev1alpha1.Memcached]",
		"return s.RegisterBuilders(ctx, memcachedBuilders()...)",
		"func memcachedBuilders() []okt.Builder[*cachev1alpha1.Memcached] {",
		"// +okt:scaffold:resources", "// +okt:scaffold:owns", "// +okt:scaffold:imports", "// +okt:scaffold:rbac",
		"// +kubebuilder:rbac:groups=cache.example.com,resources=memcacheds/status,verbs=get;update;patch",
		`Named("memcached")`,
	} {
		if !strings.Contains(ctrl, s) {
			t.Errorf("the controller lacks %q", s)
		}
	}
	for _, state := range []string{"CRChecker", "ObjectsGetter", "Mutator", "Updater", "SuccessManager", "ErrorManager", "CRFinalizer"} {
		if n := strings.Count(ctrl, "// USER CODE ("+state+")"); n != 1 {
			t.Errorf("%d places for user code in state %s, want 1", n, state)
		}
	}

	test := read(t, fsys, "internal/controller/memcached_controller_test.go")
	parses(t, "controller test", test)
	if !strings.Contains(test, "meta.FindStatusCondition(cr.Status.Conditions, okt.ConditionReady)") {
		t.Error("the controller test does not check the Ready condition")
	}

	types := read(t, fsys, "api/v1alpha1/memcached_types.go")
	parses(t, "types", types)
	for _, s := range []string{"// +listType=map", "// +listMapKey=type", "// +optional",
		// go/v4's own since kubebuilder v4.16 (okt adds it to older ones)
		"Conditions []metav1.Condition `json:\"conditions,omitempty\"",
		"\t\"github.com/okt-dev/okt/okt/inventory\"\n",
		"// Inventory lists the objects the okt library created for this Memcached, so\n" +
			"\t// that it deletes them once they are no longer wanted. Managed by okt.\n\t// +optional\n" +
			"\tInventory []inventory.Entry `json:\"inventory,omitempty\"`\n}"} {
		if !strings.Contains(types, s) {
			t.Errorf("the types lack %q", s)
		}
	}
	if c, i := strings.Index(types, "Conditions []metav1.Condition"), strings.Index(types, "Inventory []inventory.Entry"); c < 0 || i < c {
		t.Errorf("the Inventory field does not come after the Conditions:\n%s", types)
	}

	before := scaffoldstest.Snapshot(t, fsys)
	changed, err = api.Scaffold(fsys)
	if err != nil || len(changed) != 0 {
		t.Errorf("second run: changed %v, err %v; want no change", changed, err)
	}
	if diff := cmp.Diff(before, scaffoldstest.Snapshot(t, fsys)); diff != "" {
		t.Errorf("second run changed the project:\n%s", diff)
	}
}

func TestAPIScaffoldKeepsUserController(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	api := scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}
	if _, err := api.Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	path := "internal/controller/memcached_controller.go"
	edited := read(t, fsys, path) + "\n// user's code\n"
	if err := afero.WriteFile(fsys, path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	if got := read(t, fsys, path); got != edited {
		t.Error("create api overwrote a controller already scaffolded by okt")
	}
}

func TestAPIScaffoldMultiGroup(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	if err := cfg.SetMultiGroup(); err != nil {
		t.Fatal(err)
	}
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	changed, err := scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}.Scaffold(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"api/cache/v1alpha1/memcached_types.go", "internal/controller/cache/memcached_controller.go",
		"internal/controller/cache/memcached_controller_test.go",
		"test/e2e-local/e2e_local_suite_test.go", "test/e2e-local/e2e_local_test.go", "Makefile"}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("changed files (-want +got):\n%s", diff)
	}
	ctrl := read(t, fsys, want[1])
	if !strings.HasPrefix(ctrl[strings.Index(ctrl, "package"):], "package cache\n") || !strings.Contains(ctrl, `Named("cache-memcached")`) {
		t.Errorf("multigroup controller has the wrong package or name:\n%s", ctrl)
	}
}

func TestAPIScaffoldMissingTypes(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.NewResource(cfg, "cache", "v1alpha1", "Memcached")
	before := scaffoldstest.Snapshot(t, fsys)
	_, err := scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}.Scaffold(fsys)
	if err == nil || !strings.Contains(err.Error(), "memcached_types.go does not exist") {
		t.Errorf("err = %v, want a missing types file", err)
	}
	if diff := cmp.Diff(before, scaffoldstest.Snapshot(t, fsys)); diff != "" {
		t.Errorf("a failed scaffold changed the project:\n%s", diff)
	}
}

func TestAddConditions(t *testing.T) {
	const head = "package v1\n\nimport metav1 \"k8s.io/apimachinery/pkg/apis/meta/v1\"\n\nvar _ metav1.Time\n\n"
	tests := []struct {
		name, src, wantErr string
		changed            bool
	}{
		{name: "empty status", src: head + "type FooStatus struct{}\n", changed: true},
		{name: "status with fields", src: head + "type FooStatus struct {\n\tPhase string\n}\n", changed: true},
		{name: "has conditions", src: head + "type FooStatus struct {\n\tConditions []metav1.Condition\n}\n"},
		{name: "no status", src: head + "type FooSpec struct{}\n", wantErr: "no struct type FooStatus"},
		{name: "no metav1", src: "package v1\n\ntype FooStatus struct{}\n", wantErr: "must import"},
		{name: "not go", src: "package", wantErr: "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed, err := scaffolds.AddConditions([]byte(tt.src), "Foo")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if !strings.Contains(string(out), "Conditions []metav1.Condition") {
				t.Errorf("no Conditions field:\n%s", out)
			}
			again, changed, err := scaffolds.AddConditions(out, "Foo")
			if err != nil || changed || string(again) != string(out) {
				t.Errorf("second run: changed %v, err %v", changed, err)
			}
		})
	}
}

func TestAddInventory(t *testing.T) {
	const head = "package v1\n\nimport (\n\tmetav1 \"k8s.io/apimachinery/pkg/apis/meta/v1\"\n)\n\nvar _ metav1.Time\n\n"
	const conditions = "type FooStatus struct {\n\tConditions []metav1.Condition\n}\n"
	tests := []struct {
		name, src, wantErr string
		changed            bool
	}{
		{name: "has conditions", src: head + conditions, changed: true},
		{name: "empty status", src: head + "type FooStatus struct{}\n", changed: true},
		{name: "imported already", src: "package v1\n\nimport (\n\t\"github.com/okt-dev/okt/okt/inventory\"\n)\n\nvar _ inventory.Entry\n\n" +
			"type FooStatus struct{}\n", changed: true},
		{name: "has inventory", src: "package v1\n\nimport (\n\t\"github.com/okt-dev/okt/okt/inventory\"\n)\n\n" +
			"type FooStatus struct {\n\tInventory []inventory.Entry\n}\n"},
		{name: "imported under another name", src: "package v1\n\nimport (\n\tinv \"github.com/okt-dev/okt/okt/inventory\"\n)\n\n" +
			"var _ inv.Entry\n\ntype FooStatus struct{}\n", wantErr: "import it as inventory"},
		{name: "no status", src: head + "type FooSpec struct{}\n", wantErr: "no struct type FooStatus"},
		{name: "no import block", src: "package v1\n\ntype FooStatus struct{}\n", wantErr: "no import block"},
		{name: "not go", src: "package", wantErr: "cannot parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed, err := scaffolds.AddInventory([]byte(tt.src), "Foo")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			parses(t, "types", string(out))
			if strings.Count(string(out), `"github.com/okt-dev/okt/okt/inventory"`) != 1 ||
				!strings.Contains(string(out), "Inventory []inventory.Entry") {
				t.Errorf("no Inventory field or import:\n%s", out)
			}
			if c := strings.Index(string(out), "Conditions"); c >= 0 && strings.Index(string(out), "Inventory []") < c {
				t.Errorf("the Inventory field comes before the Conditions:\n%s", out)
			}
			again, changed, err := scaffolds.AddInventory(out, "Foo")
			if err != nil || changed || string(again) != string(out) {
				t.Errorf("second run: changed %v, err %v", changed, err)
			}
		})
	}
}

// TestAPIScaffoldTypesWithConditions: a types file that already has the
// Conditions (as newer go/v4 scaffolds write them) gets the Inventory.
func TestAPIScaffoldTypesWithConditions(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	p := "api/v1alpha1/memcached_types.go"
	withConditions, _, err := scaffolds.AddConditions([]byte(read(t, fsys, p)), "Memcached")
	if err != nil {
		t.Fatal(err)
	}
	if err := afero.WriteFile(fsys, p, withConditions, 0o644); err != nil {
		t.Fatal(err)
	}
	changed, err := scaffolds.API{Config: cfg, Resource: res, Types: true}.Scaffold(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{p}, changed); diff != "" {
		t.Errorf("changed files (-want +got):\n%s", diff)
	}
	types := read(t, fsys, p)
	if strings.Count(types, "Conditions []metav1.Condition") != 1 || !strings.Contains(types, "Inventory []inventory.Entry") {
		t.Errorf("want the Conditions once and the Inventory:\n%s", types)
	}
}

func TestSpecField(t *testing.T) {
	src := []byte("package v1\n\ntype FooSpec struct {\n\tImage string\n\tSize int32\n\tOpt *int32\n}\n")
	for field, want := range map[string]string{"Image": "string", "Size": "int32", "Opt": "*int32", "None": ""} {
		if got := scaffolds.SpecField(src, "Foo", field); got != want {
			t.Errorf("SpecField(%s) = %q, want %q", field, got, want)
		}
	}
}

func TestKinds(t *testing.T) {
	ks := scaffolds.DefaultKinds()
	for _, name := range []string{"ConfigMap", "Secret", "Service", "ServiceAccount", "Deployment", "StatefulSet",
		"DaemonSet", "Job", "CronJob", "PersistentVolumeClaim", "Role", "RoleBinding", "PodDisruptionBudget",
		"Ingress", "HorizontalPodAutoscaler", "NetworkPolicy"} {
		k, err := ks.Lookup(name)
		if err != nil {
			t.Errorf("Lookup(%s): %v", name, err)
			continue
		}
		if err := k.Validate(); err != nil {
			t.Error(err)
		}
	}
	if _, err := ks.Lookup("deployment"); err == nil || !strings.Contains(err.Error(), `did you mean "Deployment"`) {
		t.Errorf("Lookup(deployment) = %v, want a suggestion", err)
	}
	if _, err := ks.Lookup("Nope"); err == nil || !strings.Contains(err.Error(), "Deployment") {
		t.Errorf("Lookup(Nope) = %v, want the list of kinds", err)
	}
	ks, err := scaffolds.LoadKinds([]byte("kinds:\n- kind: Certificate\n  group: cert-manager.io\n  version: v1\n" +
		"  importPath: github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1\n  alias: certmanagerv1\n  plural: certificates\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ks.Names(), "Certificate") || !slices.Contains(ks.Names(), "Deployment") {
		t.Errorf("kinds = %v", ks.Names())
	}
	for _, bad := range []string{"kinds:\n- kind: lower\n", "kinds: [{kind: X, version: v1}]", "nope: 1"} {
		if _, err := scaffolds.LoadKinds([]byte(bad)); err == nil {
			t.Errorf("LoadKinds(%q) accepted", bad)
		}
	}
}
