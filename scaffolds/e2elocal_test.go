package scaffolds_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/afero"

	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

func TestE2ELocalScaffold(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	memcached := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	if _, err := (scaffolds.API{Config: cfg, Resource: memcached, Types: true, Controller: true}).Scaffold(fsys); err != nil {
		t.Fatal(err)
	}

	suite := read(t, fsys, scaffolds.E2ELocalSuitePath())
	parses(t, "e2e-local suite", suite)
	for _, s := range []string{
		"package e2elocal\n",
		`"github.com/okt-dev/okt/okt/cluster"`,
		`cluster.Start(ctx, cluster.Options{`,
		`CRDDirectoryPaths: []string{filepath.Join(projectDir, "config", "crd", "bases")},`,
		`exec.Command("go", "build", "-o", binary, "./cmd")`,
		`"--metrics-bind-address=0", "--health-probe-bind-address=0"`,
		`"KUBECONFIG="+kubeconfig`,
		`startManager(binary, testCluster.KubeconfigPath())`,
		"syscall.SIGTERM",
		"testCluster.Stop()",
		"manager.stop()",
		"CurrentSpecReport().Failed()",
		`"Starting memcached-operator local e2e test suite\n"`,
		"make cluster-assets",
	} {
		if !strings.Contains(suite, s) {
			t.Errorf("the suite lacks %q", s)
		}
	}

	test := read(t, fsys, scaffolds.E2ELocalTestPath())
	parses(t, "e2e-local test", test)
	memcachedKind := strings.TrimSpace(scaffolds.E2ELocalKindFragment("cache.example.com", "v1alpha1", "Memcached"))
	for _, s := range []string{
		"package e2elocal\n",
		"// +okt:scaffold:e2e-local-kinds",
		memcachedKind,
		`filepath.Join(projectDir, "config", "samples")`,
		`sampleNamespace = "default"`,
		"readyTimeout = 2 * time.Minute",
		"metav1.ConditionTrue",
		"okt.ConditionReady",
		"corev1.PodRunning",
		"metav1.IsControlledBy(obj, owner)",
	} {
		if !strings.Contains(test, s) {
			t.Errorf("the test lacks %q", s)
		}
	}
	// The kind is inserted before the marker, inside the list.
	if i, j := strings.Index(test, memcachedKind), strings.Index(test, "// +okt:scaffold:e2e-local-kinds"); i < 0 || j < i {
		t.Errorf("the kind is not before the marker:\n%s", test)
	}

	makefile := read(t, fsys, "Makefile")
	if n := strings.Count(makefile, "\n"+scaffolds.MakefileTarget+":"); n != 1 {
		t.Errorf("the Makefile has %d %s targets, want 1", n, scaffolds.MakefileTarget)
	}
	if !strings.Contains(makefile, scaffolds.MakefileFragment) {
		t.Errorf("the Makefile lacks the fragment:\n%s", makefile)
	}
	// Next to kubebuilder's Kind-based e2e targets, which stay.
	e2e, local, lint := strings.Index(makefile, "\ncleanup-test-e2e:"), strings.Index(makefile, "\ntest-e2e-local:"), strings.Index(makefile, "\n.PHONY: lint\n")
	if e2e < 0 || lint < 0 || !(e2e < local && local < lint) {
		t.Errorf("test-e2e-local is not between cleanup-test-e2e (%d) and lint (%d): %d", e2e, lint, local)
	}
	// go/v4's make test leaves out every package whose path has /e2e, so
	// the local e2e test runs only with make test-e2e-local.
	if !strings.Contains(makefile, "go test $$(go list ./... | grep -v /e2e)") || !strings.Contains(scaffolds.E2ELocalDir, "/e2e") {
		t.Errorf("make test would run %s:\n%s", scaffolds.E2ELocalDir, makefile)
	}

	// A second okt API: its kind is added, the rest is kept.
	backup := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Backup")
	changed, err := scaffolds.API{Config: cfg, Resource: backup, Types: true, Controller: true}.Scaffold(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"api/v1alpha1/backup_types.go", "internal/controller/backup_controller.go",
		"internal/controller/backup_controller_test.go", scaffolds.E2ELocalTestPath()}
	if diff := cmp.Diff(want, changed); diff != "" {
		t.Errorf("second API: changed files (-want +got):\n%s", diff)
	}
	test = read(t, fsys, scaffolds.E2ELocalTestPath())
	backupKind := strings.TrimSpace(scaffolds.E2ELocalKindFragment("cache.example.com", "v1alpha1", "Backup"))
	for _, k := range []string{memcachedKind, backupKind} {
		if n := strings.Count(test, k); n != 1 {
			t.Errorf("%s is %d times in the test, want 1", k, n)
		}
	}
	if got := read(t, fsys, "Makefile"); got != makefile {
		t.Error("a second create api changed the Makefile")
	}

	// Running create api again changes nothing: no kind or target twice.
	before := scaffoldstest.Snapshot(t, fsys)
	for _, res := range []scaffolds.API{
		{Config: cfg, Resource: memcached, Types: true, Controller: true},
		{Config: cfg, Resource: backup, Types: true, Controller: true},
	} {
		if changed, err := res.Scaffold(fsys); err != nil || len(changed) != 0 {
			t.Errorf("%s again: changed %v, err %v", res.Resource.Kind, changed, err)
		}
	}
	if diff := cmp.Diff(before, scaffoldstest.Snapshot(t, fsys)); diff != "" {
		t.Errorf("running create api again changed the project:\n%s", diff)
	}

	// The user's edits of the test are kept; a new kind still goes in.
	edited := strings.Replace(test, "readyTimeout = 2 * time.Minute", "readyTimeout = 5 * time.Minute", 1)
	if err := afero.WriteFile(fsys, scaffolds.E2ELocalTestPath(), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fsys.Remove(scaffolds.E2ELocalSuitePath()); err != nil {
		t.Fatal(err)
	}
	cache := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1", "Cache")
	if _, err := (scaffolds.API{Config: cfg, Resource: cache, Types: true, Controller: true}).Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	test = read(t, fsys, scaffolds.E2ELocalTestPath())
	if !strings.Contains(test, "readyTimeout = 5 * time.Minute") {
		t.Error("create api overwrote the user's local e2e test")
	}
	if !strings.Contains(test, strings.TrimSpace(scaffolds.E2ELocalKindFragment("cache.example.com", "v1", "Cache"))) {
		t.Errorf("the third kind is missing:\n%s", test)
	}
	if read(t, fsys, scaffolds.E2ELocalSuitePath()) != suite {
		t.Error("a removed suite is not written again")
	}
}

// TestE2ELocalNotForOtherControllers: an API without an okt controller
// (create api --controller=false) adds nothing to the local e2e test.
func TestE2ELocalNotForOtherControllers(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	changed, err := scaffolds.API{Config: cfg, Resource: res, Types: true}.Scaffold(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"api/v1alpha1/memcached_types.go"}, changed); diff != "" {
		t.Errorf("changed files (-want +got):\n%s", diff)
	}
}

func TestAddMakefileTarget(t *testing.T) {
	for name, tc := range map[string]struct{ in, before string }{
		"go/v4":             {in: "all: build\n\ntest-e2e:\n\tgo test ./test/e2e/\n\n.PHONY: lint\nlint:\n\tlint\n", before: ".PHONY: lint\n"},
		"no lint target":    {in: "all: build\n\n##@ Build\n\nbuild:\n\tgo build\n", before: "##@ Build\n"},
		"neither":           {in: "all: build\n\tgo build", before: ""},
		"empty":             {in: "", before: ""},
		"already there":     {in: "x:\n\ntest-e2e-local: vet\n\tmy own recipe\n", before: "\tmy own recipe"},
		"the only document": {in: "test-e2e-local:\n", before: "test-e2e-local:"},
	} {
		t.Run(name, func(t *testing.T) {
			out, changed := scaffolds.AddMakefileTarget([]byte(tc.in))
			has := strings.Contains(tc.in, "test-e2e-local:")
			if changed == has {
				t.Errorf("changed = %v for a Makefile that has the target: %v", changed, has)
			}
			if has {
				if string(out) != tc.in {
					t.Errorf("a Makefile with the target was changed:\n%s", out)
				}
				return
			}
			if n := strings.Count(string(out), scaffolds.MakefileFragment); n != 1 {
				t.Errorf("the fragment is %d times in\n%s", n, out)
			}
			if tc.before != "" && !strings.Contains(string(out), scaffolds.MakefileFragment+"\n"+tc.before) {
				t.Errorf("the fragment is not right before %q:\n%s", tc.before, out)
			}
			if tc.before == "" && !strings.HasSuffix(string(out), scaffolds.MakefileFragment) {
				t.Errorf("the fragment is not at the end:\n%s", out)
			}
			if !strings.HasPrefix(string(out), strings.TrimSuffix(tc.in, "\n")) && tc.before == "" {
				t.Errorf("the Makefile's content moved:\n%s", out)
			}
			again, changed := scaffolds.AddMakefileTarget(out)
			if changed || string(again) != string(out) {
				t.Errorf("a second insertion changed the Makefile:\n%s", again)
			}
		})
	}
}

// TestE2ELocalMakeHelp runs go/v4's make help on the Makefile with the
// target: it is listed with its help text.
func TestE2ELocalMakeHelp(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	fsys, cfg := scaffoldstest.NewProject(t)
	res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	if _, err := (scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}).Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(read(t, fsys, "Makefile")), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "--no-print-directory", "help")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	var line string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "test-e2e-local") {
			line = l
		}
	}
	for _, s := range []string{"local cluster", "offline", "make cluster-assets"} {
		if !strings.Contains(line, s) {
			t.Errorf("make help's line for test-e2e-local lacks %q: %q\n%s", s, line, out)
		}
	}
	cmd = exec.Command("make", "--no-print-directory", "-n", "test-e2e-local", "LOCALBIN="+dir)
	cmd.Dir = dir
	if out, err = cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "go test ./test/e2e-local/ -v -ginkgo.v") {
		t.Errorf("make -n test-e2e-local: %v\n%s", err, out)
	}
}

// The test rules of go/v4's Makefile: kubebuilder v4.16.0 and v4.6.0 (the
// one operator-sdk v1.42 scaffolds).
const (
	testRuleV416 = ".PHONY: test\ntest: manifests generate fmt vet setup-envtest ## Run tests.\n\tKUBEBUILDER_ASSETS=\"$(shell \"$(ENVTEST)\" use $(ENVTEST_K8S_VERSION) --bin-dir \"$(LOCALBIN)\" -p path)\" go test $$(go list ./... | grep -v /e2e) -coverprofile cover.out\n\n# TODO(user): e2e\n"
	testRuleV46  = ".PHONY: test\ntest: manifests generate fmt vet setup-envtest ## Run tests.\n\tKUBEBUILDER_ASSETS=\"$(shell $(ENVTEST) use $(ENVTEST_K8S_VERSION) --bin-dir $(LOCALBIN) -p path)\" go test $$(go list ./... | grep -v /e2e) -coverprofile cover.out\n"
)

func TestAddMakefileEnvtest(t *testing.T) {
	for name, tc := range map[string]struct {
		in      string
		changed bool
	}{
		"go/v4 of kubebuilder v4.16.0": {in: "all: build\n\n" + testRuleV416 + "\nlint:\n", changed: true},
		"go/v4 of kubebuilder v4.6.0":  {in: testRuleV46, changed: true},
		"a test rule of the user's":    {in: "test: vet\n\tgo test ./...\n"},
		"no setup in the recipe":       {in: "test: setup-envtest\n\tgo test ./...\n"},
		"no test rule":                 {in: "all: build\n"},
		"empty":                        {in: ""},
	} {
		t.Run(name, func(t *testing.T) {
			out, changed := scaffolds.AddMakefileEnvtest([]byte(tc.in))
			if changed != tc.changed {
				t.Fatalf("changed = %v, want %v:\n%s", changed, tc.changed, out)
			}
			if !changed {
				if string(out) != tc.in {
					t.Errorf("unchanged, but the Makefile differs:\n%s", out)
				}
				return
			}
			got := string(out)
			for _, want := range []string{
				"test: manifests generate fmt vet okt-envtest ## Run tests.\n",
				`KUBEBUILDER_ASSETS="$(or $(OKT_ENVTEST_ASSETS),$(shell `,
				" -p path))\" go test $$(go list ./... | grep -v /e2e) -coverprofile cover.out\n\n" + scaffolds.EnvtestFragment,
			} {
				if !strings.Contains(got, want) {
					t.Errorf("no %q in\n%s", want, got)
				}
			}
			if strings.Contains(got, "vet setup-envtest") {
				t.Errorf("make test still depends on setup-envtest:\n%s", got)
			}
			again, changed := scaffolds.AddMakefileEnvtest(out)
			if changed || string(again) != got {
				t.Errorf("a second edit changed the Makefile:\n%s", again)
			}
		})
	}
}
