package plugin_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/spf13/pflag"
	"sigs.k8s.io/kubebuilder/v4/pkg/cli"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	"sigs.k8s.io/kubebuilder/v4/pkg/config/store/yaml"
	cfgv3 "sigs.k8s.io/kubebuilder/v4/pkg/config/v3"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
	kbplugin "sigs.k8s.io/kubebuilder/v4/pkg/plugin"
	kustomizev2 "sigs.k8s.io/kubebuilder/v4/pkg/plugins/common/kustomize/v2"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang"
	golangv4 "sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang/v4"

	"github.com/okt-dev/okt/plugin"
)

// The fake host is operator-sdk's plugin setup on kubebuilder's pkg/cli: a
// go.kubebuilder.io/v4 bundle of kustomize/v2, go/v4 (kubebuilder's own,
// without the `go mod tidy` and `make generate` of its post-scaffold hooks,
// which need the network), and stand-ins of operator-sdk's manifests/v2
// (which, like operator-sdk's, fails init without a layout key starting
// with "go") and scorecard/v2.

const (
	manifestsKey = "manifests.sdk.operatorframework.io/v2"
	scorecardKey = "scorecard.sdk.operatorframework.io/v2"
)

// hostGo returns the fake host's Go bundle.
func hostGo(t *testing.T) kbplugin.Bundle {
	t.Helper()
	b, err := kbplugin.NewBundleWithOptions(
		kbplugin.WithName(golang.DefaultNameQualifier),
		kbplugin.WithVersion(kbplugin.Version{Number: 4}),
		kbplugin.WithPlugins(kustomizev2.Plugin{}, goV4{}, sdkAPIPlugin{sdkPlugin{name: "manifests"}}, sdkPlugin{name: "scorecard"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runHost runs the fake host CLI once, as a new process would, with okt
// compiled in through plugin.BundlesFor or not (a stock host).
func runHost(t *testing.T, withOkt bool, args ...string) error {
	t.Helper()
	saved := os.Args
	t.Cleanup(func() { os.Args = saved })
	os.Args = append([]string{"fake-sdk"}, args...)
	goBundle := hostGo(t)
	plugins := []kbplugin.Plugin{goBundle}
	if withOkt {
		var oktBundle kbplugin.Bundle
		var err error
		goBundle, oktBundle, err = plugin.BundlesFor(goBundle)
		if err != nil {
			t.Fatal(err)
		}
		plugins = []kbplugin.Plugin{goBundle, oktBundle}
	}
	c, err := cli.New(
		cli.WithCommandName("fake-sdk"),
		cli.WithVersion("v0.0.0"),
		cli.WithPlugins(plugins...),
		cli.WithDefaultPlugins(cfgv3.Version, goBundle),
		cli.WithDefaultProjectVersion(cfgv3.Version),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c.Run()
}

// project reads PROJECT in the current folder.
func project(t *testing.T) config.Config {
	t.Helper()
	s := yaml.New(machinery.Filesystem{FS: afero.NewOsFs()})
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	return s.Config()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	initArgs = []string{"--domain", "example.com", "--repo", "example.com/memcached-operator",
		"--skip-go-version-check", "--fetch-deps=false"}
	apiArgs = []string{"create", "api", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached",
		"--resource", "--controller", "--make=false"}
	backupArgs = []string{"create", "api", "--group", "cache", "--version", "v1alpha1", "--kind", "Backup",
		"--resource", "--controller", "--make=false"}
)

const oktController = "engines.NewStepper"

func TestBundlesForInit(t *testing.T) {
	for name, plugins := range map[string]string{
		"okt":            plugin.Key,
		"go-v4-then-okt": "go/v4," + plugin.Key,
		"okt-then-go-v4": plugin.Key + ",go/v4",
	} {
		t.Run(name, func(t *testing.T) {
			lib := library(t)
			t.Chdir(t.TempDir())
			args := append([]string{"init", "--plugins", plugins, "--okt-path", lib}, initArgs...)
			if err := runHost(t, true, args...); err != nil {
				t.Fatal(err)
			}
			cfg := project(t)
			if got := cfg.GetPluginChain(); !slices.Equal(got, []string{"go.kubebuilder.io/v4"}) {
				t.Errorf("layout = %v, want the host's Go key alone", got)
			}
			for _, key := range []string{plugin.Key, manifestsKey, scorecardKey} {
				if err := cfg.DecodePluginConfig(key, &struct{}{}); err != nil {
					t.Errorf("PROJECT plugins: %s: %v", key, err)
				}
			}
			// Each plugin ran once: the host's stand-ins count their runs.
			if got := read(t, "manifests.runs"); got != "init\n" {
				t.Errorf("manifests ran %q", got)
			}
			if got := read(t, "scorecard.runs"); got != "init\n" {
				t.Errorf("scorecard ran %q", got)
			}
			if gomod := read(t, "go.mod"); !strings.Contains(gomod, "replace github.com/okt-dev/okt => "+lib) {
				t.Errorf("go.mod:\n%s", gomod)
			}

			// A later create api resolves the layout to the Go bundle,
			// okt inside.
			if err := runHost(t, true, apiArgs...); err != nil {
				t.Fatal(err)
			}
			if ctrl := read(t, "internal/controller/memcached_controller.go"); !strings.Contains(ctrl, oktController) {
				t.Errorf("create api did not write okt's controller:\n%s", ctrl)
			}
			if got := read(t, "manifests.runs"); got != "init\ncreate api\n" {
				t.Errorf("manifests ran %q", got)
			}
			if r, err := project(t).GetResource(resource.GVK{Group: "cache", Domain: "example.com", Version: "v1alpha1", Kind: "Memcached"}); err != nil || !r.HasAPI() || !r.HasController() {
				t.Errorf("PROJECT resource: %+v, %v", r, err)
			}

			// The same host without okt (a teammate's stock CLI) reads
			// the project as a Go one: a second create api is go/v4's.
			if err := runHost(t, false, backupArgs...); err != nil {
				t.Fatal(err)
			}
			if ctrl := read(t, "internal/controller/backup_controller.go"); strings.Contains(ctrl, oktController) {
				t.Errorf("the stock host wrote okt's controller")
			}
			if got := read(t, "manifests.runs"); got != "init\ncreate api\ncreate api\n" {
				t.Errorf("manifests ran %q", got)
			}
		})
	}
}

// A project whose layout still names okt (made by kubebuilder with okt as
// an external plugin, or edited by hand): both bundles are in the chain,
// every plugin runs once.
func TestBundlesForLayoutWithOkt(t *testing.T) {
	lib := library(t)
	t.Chdir(t.TempDir())
	if err := runHost(t, true, append([]string{"init", "--plugins", plugin.Key, "--okt-path", lib}, initArgs...)...); err != nil {
		t.Fatal(err)
	}
	s := yaml.New(machinery.Filesystem{FS: afero.NewOsFs()})
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if err := s.Config().SetPluginChain([]string{"go.kubebuilder.io/v4", plugin.Key}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if err := runHost(t, true, apiArgs...); err != nil {
		t.Fatal(err)
	}
	if ctrl := read(t, "internal/controller/memcached_controller.go"); !strings.Contains(ctrl, oktController) {
		t.Errorf("create api did not write okt's controller")
	}
	if got := read(t, "manifests.runs"); got != "init\ncreate api\n" {
		t.Errorf("manifests ran %q", got)
	}
	// create webhook and edit too run go/v4 (whose flags would clash) once.
	if err := runHost(t, true, "create", "webhook", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached",
		"--defaulting", "--make=false"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("internal/webhook/v1alpha1/memcached_webhook.go"); err != nil {
		t.Error(err)
	}
	if err := runHost(t, true, "edit", "--multigroup"); err != nil {
		t.Fatal(err)
	}
	cfg := project(t)
	if !cfg.IsMultiGroup() {
		t.Error("edit --multigroup did not run")
	}
	if got := cfg.GetPluginChain(); !slices.Equal(got, []string{"go.kubebuilder.io/v4", plugin.Key}) {
		t.Errorf("later commands changed the layout to %v", got)
	}
}

// Without --plugins naming okt, the host with okt inside behaves as the
// stock one.
func TestBundlesForDefaultInit(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := runHost(t, true, append([]string{"init"}, initArgs...)...); err != nil {
		t.Fatal(err)
	}
	cfg := project(t)
	if got := cfg.GetPluginChain(); !slices.Equal(got, []string{"go.kubebuilder.io/v4"}) {
		t.Errorf("layout = %v", got)
	}
	if err := cfg.DecodePluginConfig(plugin.Key, &struct{}{}); !errors.As(err, &config.PluginKeyNotFoundError{}) {
		t.Errorf("okt recorded in PROJECT: %v", err)
	}
	if gomod := read(t, "go.mod"); strings.Contains(gomod, "okt") {
		t.Errorf("go.mod:\n%s", gomod)
	}
	if err := runHost(t, true, apiArgs...); err != nil {
		t.Fatal(err)
	}
	if ctrl := read(t, "internal/controller/memcached_controller.go"); strings.Contains(ctrl, oktController) {
		t.Errorf("okt's controller in a project without okt")
	}

	// okt's flags without okt in --plugins: an error that says what to add.
	t.Chdir(t.TempDir())
	err := runHost(t, true, append([]string{"init", "--okt-path", library(t)}, initArgs...)...)
	if err == nil || !strings.Contains(err.Error(), "add --plugins "+plugin.Key) {
		t.Errorf("init --okt-path without okt: %v", err)
	}
}

func TestBundlesForBundles(t *testing.T) {
	goBundle, oktBundle, err := plugin.BundlesFor(hostGo(t))
	if err != nil {
		t.Fatal(err)
	}
	keys := func(b kbplugin.Bundle) string {
		var k []string
		for _, p := range b.Plugins() {
			k = append(k, kbplugin.KeyFor(p))
		}
		return kbplugin.KeyFor(b) + ": " + strings.Join(k, ",")
	}
	want := "kustomize.common.kubebuilder.io/v2,base.go.kubebuilder.io/v4," + manifestsKey + "," + scorecardKey + "," + plugin.Key
	if got := keys(goBundle); got != "go.kubebuilder.io/v4: "+want {
		t.Errorf("Go bundle: %s", got)
	}
	if got := keys(oktBundle); got != plugin.Key+": "+want {
		t.Errorf("okt bundle: %s", got)
	}
	if _, _, err := plugin.BundlesFor(nil); err == nil || !strings.Contains(err.Error(), "Go bundle") {
		t.Errorf("nil: %v", err)
	}
	if _, _, err := plugin.BundlesFor(oktBundle); err == nil {
		t.Error("okt's own bundle accepted as the host's")
	}
	// okt's own Bundle (the okt CLI's) as the host's Go bundle: okt once.
	b, _ := plugin.Bundle()
	g, _, err := plugin.BundlesFor(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(g); got != "go.kubebuilder.io/v4: kustomize.common.kubebuilder.io/v2,base.go.kubebuilder.io/v4,"+plugin.Key {
		t.Errorf("Go bundle from okt's Bundle: %s", got)
	}
}

// goV4 is kubebuilder's go/v4 without its post-scaffold hooks.
type goV4 struct{ golangv4.Plugin }

func (p goV4) GetInitSubcommand() kbplugin.InitSubcommand {
	return noPost{p.Plugin.GetInitSubcommand()}
}

func (p goV4) GetCreateAPISubcommand() kbplugin.CreateAPISubcommand {
	return noPostResource{noPost{p.Plugin.GetCreateAPISubcommand()}}
}

func (p goV4) GetCreateWebhookSubcommand() kbplugin.CreateWebhookSubcommand {
	return noPostResource{noPost{p.Plugin.GetCreateWebhookSubcommand()}}
}

// noPost forwards every hook of a subcommand but PostScaffold.
type noPost struct{ s kbplugin.Subcommand }

func (n noPost) UpdateMetadata(c kbplugin.CLIMetadata, m *kbplugin.SubcommandMetadata) {
	if u, ok := n.s.(kbplugin.UpdatesMetadata); ok {
		u.UpdateMetadata(c, m)
	}
}

func (n noPost) BindFlags(fs *pflag.FlagSet) {
	if b, ok := n.s.(kbplugin.HasFlags); ok {
		b.BindFlags(fs)
	}
}

func (n noPost) InjectConfig(c config.Config) error {
	if r, ok := n.s.(kbplugin.RequiresConfig); ok {
		return r.InjectConfig(c)
	}
	return nil
}

func (n noPost) PreScaffold(fs machinery.Filesystem) error {
	if p, ok := n.s.(kbplugin.HasPreScaffold); ok {
		return p.PreScaffold(fs)
	}
	return nil
}

func (n noPost) Scaffold(fs machinery.Filesystem) error { return n.s.Scaffold(fs) }

type noPostResource struct{ noPost }

func (n noPostResource) InjectResource(r *resource.Resource) error {
	return n.s.(kbplugin.RequiresResource).InjectResource(r)
}

// sdkPlugin stands in for operator-sdk's scorecard/v2, and sdkAPIPlugin
// for its manifests/v2: init records the plugin in PROJECT, manifests' init fails
// as operator-sdk's does without a "go..." layout key, and create api skips
// projects without the plugin. Each run is appended to <name>.runs.
type sdkPlugin struct{ name string }

func (p sdkPlugin) Name() string              { return p.name + ".sdk.operatorframework.io" }
func (p sdkPlugin) Version() kbplugin.Version { return kbplugin.Version{Number: 2} }
func (p sdkPlugin) SupportedProjectVersions() []config.Version {
	return []config.Version{cfgv3.Version}
}
func (p sdkPlugin) GetInitSubcommand() kbplugin.InitSubcommand { return &sdkSub{p: p, cmd: "init"} }

type sdkAPIPlugin struct{ sdkPlugin }

func (p sdkAPIPlugin) GetCreateAPISubcommand() kbplugin.CreateAPISubcommand {
	return &sdkSub{p: p.sdkPlugin, cmd: "create api"}
}

type sdkSub struct {
	p   sdkPlugin
	cmd string
	cfg config.Config
}

func (s *sdkSub) InjectConfig(c config.Config) error {
	s.cfg = c
	if s.cmd != "init" {
		if err := c.DecodePluginConfig(kbplugin.KeyFor(s.p), &struct{}{}); err != nil {
			return kbplugin.ExitError{Plugin: kbplugin.KeyFor(s.p), Reason: "plugin not used in this project"}
		}
	}
	return nil
}

func (s *sdkSub) InjectResource(*resource.Resource) error { return nil }

func (s *sdkSub) Scaffold(fs machinery.Filesystem) error {
	if s.cmd == "init" {
		if s.p.name == "manifests" && !slices.ContainsFunc(s.cfg.GetPluginChain(), func(k string) bool { return strings.HasPrefix(k, "go") }) {
			return errors.New("none of the required plugins detected in " + strings.Join(s.cfg.GetPluginChain(), ","))
		}
		if err := s.cfg.EncodePluginConfig(kbplugin.KeyFor(s.p), struct{}{}); err != nil {
			return err
		}
	}
	runs := s.p.name + ".runs"
	b, _ := afero.ReadFile(fs.FS, runs)
	return afero.WriteFile(fs.FS, runs, append(b, s.cmd+"\n"...), 0o644)
}
