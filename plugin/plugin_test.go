package plugin_test

import (
	"github.com/google/go-cmp/cmp"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/spf13/pflag"
	cfgv3 "sigs.k8s.io/kubebuilder/v4/pkg/config/v3"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	kbplugin "sigs.k8s.io/kubebuilder/v4/pkg/plugin"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugin/external"

	"github.com/okt-dev/okt/plugin"
	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

func TestPluginIdentity(t *testing.T) {
	if got := kbplugin.KeyFor(plugin.New()); got != "okt.orange.com/v1" {
		t.Errorf("key = %q", got)
	}
	if err := kbplugin.ValidateKey(plugin.Key); err != nil {
		t.Error(err)
	}
	b, err := plugin.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	if got := kbplugin.KeyFor(b); got != "go.kubebuilder.io/v4" {
		t.Errorf("bundle key = %q", got)
	}
	var keys []string
	for _, p := range b.Plugins() {
		keys = append(keys, kbplugin.KeyFor(p))
	}
	if strings.Join(keys, ",") != "kustomize.common.kubebuilder.io/v2,base.go.kubebuilder.io/v4,okt.orange.com/v1" {
		t.Errorf("bundle plugins = %v", keys)
	}
}

func TestInitSubcommand(t *testing.T) {
	lib := library(t)
	fs := pflag.NewFlagSet("init", pflag.ContinueOnError)
	// The plugin may be in the chain twice (bundle and own key): binding
	// twice must not panic, and both read the same value.
	first := plugin.New().GetInitSubcommand()
	second := plugin.New().GetInitSubcommand()
	first.(kbplugin.HasFlags).BindFlags(fs)
	second.(kbplugin.HasFlags).BindFlags(fs)
	if err := fs.Parse([]string{"--okt-path", lib}); err != nil {
		t.Fatal(err)
	}
	cfg := cfgv3.New()
	fsys := afero.NewMemMapFs()
	if err := afero.WriteFile(fsys, "go.mod", []byte("module example.com/op\n\ngo 1.24.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []kbplugin.InitSubcommand{first, second} {
		if err := sub.(kbplugin.RequiresConfig).InjectConfig(cfg); err != nil {
			t.Fatal(err)
		}
		if err := sub.(kbplugin.HasPreScaffold).PreScaffold(machinery.Filesystem{FS: fsys}); err != nil {
			t.Fatal(err)
		}
		if err := sub.Scaffold(machinery.Filesystem{FS: fsys}); err != nil {
			t.Fatal(err)
		}
	}
	gomod, _ := afero.ReadFile(fsys, "go.mod")
	if strings.Count(string(gomod), "replace github.com/okt-dev/okt => "+lib) != 1 {
		t.Errorf("go.mod:\n%s", gomod)
	}
	var c plugin.Config
	if err := cfg.DecodePluginConfig(plugin.Key, &c); err != nil || c.Library != "github.com/okt-dev/okt" {
		t.Errorf("plugin config = %+v, %v", c, err)
	}
	b, _ := cfg.MarshalYAML()
	if !strings.Contains(string(b), "plugins:\n  okt.orange.com/v1:\n    library: github.com/okt-dev/okt\n") {
		t.Errorf("PROJECT:\n%s", b)
	}

	bad := plugin.New().GetInitSubcommand()
	fs = pflag.NewFlagSet("init", pflag.ContinueOnError)
	bad.(kbplugin.HasFlags).BindFlags(fs)
	if err := fs.Parse([]string{"--okt-path", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	_ = bad.(kbplugin.RequiresConfig).InjectConfig(cfgv3.New())
	if err := bad.(kbplugin.HasPreScaffold).PreScaffold(machinery.Filesystem{FS: fsys}); err == nil ||
		!strings.Contains(err.Error(), "is not a checkout of github.com/okt-dev/okt") {
		t.Errorf("PreScaffold with a bad path: %v", err)
	}
}

func TestCreateAPISubcommand(t *testing.T) {
	for _, okt := range []bool{false, true} {
		fsys, cfg := scaffoldstest.NewProject(t)
		if okt {
			if err := cfg.EncodePluginConfig(plugin.Key, plugin.Config{}); err != nil {
				t.Fatal(err)
			}
		}
		res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
		sub := plugin.New().GetCreateAPISubcommand()
		if err := sub.(kbplugin.RequiresConfig).InjectConfig(cfg); err != nil {
			t.Fatal(err)
		}
		if err := sub.InjectResource(&res); err != nil {
			t.Fatal(err)
		}
		if err := sub.Scaffold(machinery.Filesystem{FS: fsys}); err != nil {
			t.Fatal(err)
		}
		ctrl, _ := afero.ReadFile(fsys, "internal/controller/memcached_controller.go")
		if got := strings.Contains(string(ctrl), "engines.NewStepper"); got != okt {
			t.Errorf("okt project %v: okt controller %v", okt, got)
		}
		e2e, _ := afero.Exists(fsys, scaffolds.E2ELocalTestPath())
		makefile, _ := afero.ReadFile(fsys, "Makefile")
		target := strings.Contains(string(makefile), "\ntest-e2e-local:")
		if e2e != okt || target != okt {
			t.Errorf("okt project %v: local e2e test %v, Makefile target %v", okt, e2e, target)
		}
	}
}

// initGoMod runs the init subcommand with args on a fresh go.mod and returns
// the go.mod it writes, or the error of PreScaffold.
func initGoMod(t *testing.T, args ...string) (string, error) {
	t.Helper()
	sub := plugin.New().GetInitSubcommand()
	fs := pflag.NewFlagSet("init", pflag.ContinueOnError)
	sub.(kbplugin.HasFlags).BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	fsys := afero.NewMemMapFs()
	if err := afero.WriteFile(fsys, "go.mod", []byte("module example.com/op\n\ngo 1.24.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = sub.(kbplugin.RequiresConfig).InjectConfig(cfgv3.New())
	if err := sub.(kbplugin.HasPreScaffold).PreScaffold(machinery.Filesystem{FS: fsys}); err != nil {
		return "", err
	}
	if err := sub.Scaffold(machinery.Filesystem{FS: fsys}); err != nil {
		t.Fatal(err)
	}
	gomod, _ := afero.ReadFile(fsys, "go.mod")
	return string(gomod), nil
}

func TestDefaultPath(t *testing.T) {
	built, env, flag := library(t), library(t), library(t)
	saved := plugin.DefaultPath
	t.Cleanup(func() { plugin.DefaultPath = saved })
	plugin.DefaultPath = built
	t.Setenv(plugin.EnvPath, "")

	replace := func(dir string) string { return "replace github.com/okt-dev/okt => " + dir }
	// No flag, no OKT_PATH: the checkout okt was built from.
	if gomod, err := initGoMod(t); err != nil || !strings.Contains(gomod, replace(built)) {
		t.Errorf("default: %v\n%s", err, gomod)
	}
	// The flag overrides it.
	if gomod, err := initGoMod(t, "--okt-path", flag); err != nil || !strings.Contains(gomod, replace(flag)) {
		t.Errorf("--okt-path: %v\n%s", err, gomod)
	}
	// --okt-version alone requires that version, without a replace.
	if gomod, err := initGoMod(t, "--okt-version", "v0.1.0"); err != nil ||
		strings.Contains(gomod, "replace") || !strings.Contains(gomod, "github.com/okt-dev/okt v0.1.0") {
		t.Errorf("--okt-version: %v\n%s", err, gomod)
	}
	// The external plugin has the same default.
	resp := roundTrip(t, external.PluginRequest{APIVersion: "v1alpha1", Command: "init",
		Args: []string{"--domain", "example.com"}, Universe: map[string]string{"go.mod": "module example.com/op\n\ngo 1.24.0\n"}})
	if resp.Error || !strings.Contains(resp.Universe["go.mod"], replace(built)) {
		t.Errorf("external init: %+v", resp)
	}

	// OKT_PATH overrides it too.
	t.Setenv(plugin.EnvPath, env)
	if gomod, err := initGoMod(t); err != nil || !strings.Contains(gomod, replace(env)) {
		t.Errorf("OKT_PATH: %v\n%s", err, gomod)
	}
	t.Setenv(plugin.EnvPath, "")

	// A checkout gone since the build: the error says where the path came from.
	plugin.DefaultPath = filepath.Join(t.TempDir(), "gone")
	if _, err := initGoMod(t); err == nil || !strings.Contains(err.Error(), "okt was built from the checkout "+plugin.DefaultPath) ||
		!strings.Contains(err.Error(), "set --okt-path or OKT_PATH") {
		t.Errorf("moved checkout: %v", err)
	}
	// Not built by make build: no default.
	plugin.DefaultPath = ""
	if _, err := initGoMod(t); err == nil || !strings.Contains(err.Error(), "set --okt-path (or OKT_PATH)") {
		t.Errorf("no default: %v", err)
	}
}

// TestCreateAPILifecycle: --lifecycle scaffolds the lifecycle skeleton with
// a new okt controller; bad combinations are refused in PreScaffold, before
// any plugin writes, and leave the project as it was.
func TestCreateAPILifecycle(t *testing.T) {
	run := func(t *testing.T, okt, controller bool, prepare func(afero.Fs), args ...string) (afero.Fs, map[string]string, error) {
		t.Helper()
		fsys, cfg := scaffoldstest.NewProject(t)
		if okt {
			if err := cfg.EncodePluginConfig(plugin.Key, plugin.Config{}); err != nil {
				t.Fatal(err)
			}
		}
		res := scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
		if !controller {
			res.Controller = false
		}
		if prepare != nil {
			prepare(fsys)
		}
		before := scaffoldstest.Snapshot(t, fsys)
		sub := plugin.New().GetCreateAPISubcommand()
		fs := pflag.NewFlagSet("create api", pflag.ContinueOnError)
		sub.(kbplugin.HasFlags).BindFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		_ = sub.(kbplugin.RequiresConfig).InjectConfig(cfg)
		if err := sub.InjectResource(&res); err != nil {
			t.Fatal(err)
		}
		if err := sub.(kbplugin.HasPreScaffold).PreScaffold(machinery.Filesystem{FS: fsys}); err != nil {
			return fsys, before, err
		}
		return fsys, before, sub.Scaffold(machinery.Filesystem{FS: fsys})
	}

	fsys, _, err := run(t, true, true, nil, "--lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"internal/controller/memcached_lifecycle.go":      "lifecycle.Drive(ctx, s, memcachedLifecycle, &s.CR().Status.Lifecycle, view)",
		"internal/controller/memcached_lifecycle_test.go": "func TestMemcachedLifecycle(t *testing.T)",
		"internal/controller/memcached_controller.go":     "if err := driveMemcachedLifecycle(ctx, s); err != nil {",
		"api/v1alpha1/memcached_types.go":                 "Lifecycle lifecycle.Status `json:\"lifecycle,omitempty\"`",
	} {
		got, _ := afero.ReadFile(fsys, path)
		if !strings.Contains(string(got), want) {
			t.Errorf("%s lacks %q:\n%s", path, want, got)
		}
	}

	for _, tc := range []struct {
		name       string
		okt, ctrl  bool
		prepare    func(afero.Fs)
		wantErrSub string
	}{
		{"without --controller", true, false, nil, "--lifecycle needs --controller"},
		{"not an okt project", false, true, nil, "needs a project initialized with the okt plugin"},
		{"the kind has an okt controller already", true, true, func(fsys afero.Fs) {
			_ = afero.WriteFile(fsys, "internal/controller/memcached_controller.go",
				[]byte("package controller\n\nfunc builders() {\n\t// +okt:scaffold:resources\n}\n"), 0o644)
		}, "already has one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, before, err := run(t, tc.okt, tc.ctrl, tc.prepare, "--lifecycle")
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
				t.Fatalf("error %v, want one saying %q", err, tc.wantErrSub)
			}
			if diff := cmp.Diff(before, scaffoldstest.Snapshot(t, fsys)); diff != "" {
				t.Errorf("the refused --lifecycle changed the project:\n%s", diff)
			}
		})
	}
}
