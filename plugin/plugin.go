package plugin

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/pflag"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	cfgv3 "sigs.k8s.io/kubebuilder/v4/pkg/config/v3"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
	kbplugin "sigs.k8s.io/kubebuilder/v4/pkg/plugin"
	kustomizev2 "sigs.k8s.io/kubebuilder/v4/pkg/plugins/common/kustomize/v2"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang"
	golangv4 "sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang/v4"

	"github.com/okt-dev/okt/scaffolds"
)

const (
	// Name is the plugin's name.
	Name = "okt.orange.com"
	// Key is the plugin's key, in --plugins and in PROJECT.
	Key = Name + "/v1"
	// EnvPath names the environment variable that gives the default of
	// --okt-path.
	EnvPath = "OKT_PATH"
)

// Version is the plugin's version.
var Version = kbplugin.Version{Number: 1}

// DefaultPath is the okt checkout the binary was built from, set at build
// time by `make build`:
//
//	go build -ldflags "-X github.com/okt-dev/okt/plugin.DefaultPath=$PWD" ./cmd/okt
//
// It is the default of --okt-path when $OKT_PATH is empty; both override it.
// Empty (a plain go build), --okt-path or $OKT_PATH is needed.
var DefaultPath string

// defaultLibraryPath returns the default of --okt-path: $OKT_PATH, else
// DefaultPath.
func defaultLibraryPath() string {
	if p := os.Getenv(EnvPath); p != "" {
		return p
	}
	return DefaultPath
}

// pathUsage is the help of --okt-path.
const pathUsage = "path to a local checkout of the okt library (default $" + EnvPath +
	", else the checkout okt was built from by make build); go.mod gets a replace directive to it"

// checkLibrary checks the okt checkout at path; when path is DefaultPath and
// no longer a checkout, the error says where the default comes from.
func checkLibrary(path string) (string, error) {
	abs, err := scaffolds.CheckLibrary(path)
	if err != nil && path != "" && path == DefaultPath && os.Getenv(EnvPath) == "" {
		return "", fmt.Errorf("okt was built from the checkout %s, the default of --okt-path, but %w: "+
			"set --okt-path or %s to a checkout of %s, or rebuild okt with make build", DefaultPath, err, EnvPath, scaffolds.LibraryModule)
	}
	return abs, err
}

// Config is what the plugin records in PROJECT, under plugins:
// okt.orange.com/v1. Stock kubebuilder and operator-sdk keep it untouched.
type Config struct {
	// Library is the Go module of the okt library the project uses.
	Library string `json:"library,omitempty"`
}

// Plugin is the okt plugin: it runs after go/v4 and turns its scaffold into
// one whose controllers are built on the okt library.
type Plugin struct{}

var (
	_ kbplugin.Full       = Plugin{}
	_ kbplugin.Deprecated = Plugin{}
)

// New returns the okt plugin.
func New() Plugin { return Plugin{} }

// Name implements plugin.Plugin.
func (Plugin) Name() string { return Name }

// Version implements plugin.Plugin.
func (Plugin) Version() kbplugin.Version { return Version }

// SupportedProjectVersions implements plugin.Plugin.
func (Plugin) SupportedProjectVersions() []config.Version { return []config.Version{cfgv3.Version} }

// DeprecationWarning implements plugin.Deprecated: kubebuilder v4 before
// v4.15 needs every plugin to implement it.
func (Plugin) DeprecationWarning() string { return "" }

// GetInitSubcommand implements plugin.Init.
func (Plugin) GetInitSubcommand() kbplugin.InitSubcommand { return &initSubcommand{} }

// GetCreateAPISubcommand implements plugin.CreateAPI.
func (Plugin) GetCreateAPISubcommand() kbplugin.CreateAPISubcommand { return &createAPISubcommand{} }

// GetCreateWebhookSubcommand implements plugin.CreateWebhook.
func (Plugin) GetCreateWebhookSubcommand() kbplugin.CreateWebhookSubcommand {
	return &createWebhookSubcommand{}
}

// GetEditSubcommand implements plugin.Edit.
func (Plugin) GetEditSubcommand() kbplugin.EditSubcommand { return &editSubcommand{} }

// Bundle returns the go.kubebuilder.io/v4 bundle of a CLI that has okt
// compiled in: kustomize/v2, base go/v4 and okt. Its key is the one stock
// kubebuilder and operator-sdk use, so the PROJECT layout stays
// "go.kubebuilder.io/v4" and those CLIs keep working on okt projects (they
// run their own go/v4 bundle, without okt).
func Bundle() (kbplugin.Bundle, error) {
	return kbplugin.NewBundleWithOptions(
		kbplugin.WithName(golang.DefaultNameQualifier),
		kbplugin.WithVersion(kbplugin.Version{Number: 4}),
		kbplugin.WithPlugins(kustomizev2.Plugin{}, golangv4.Plugin{}, New()),
	)
}

// active reports whether cfg is an okt project: one initialised by okt (its
// plugin configuration is in PROJECT) or whose layout names okt.
func active(cfg config.Config) bool {
	var c Config
	if err := cfg.DecodePluginConfig(Key, &c); err == nil {
		return true
	}
	return slices.Contains(cfg.GetPluginChain(), Key)
}

const initDescription = `
The okt plugin (` + Key + `) adds the okt library to go.mod: a replace
directive to a local checkout (--okt-path, or $` + EnvPath + `, or by default
the checkout okt was built from by make build) or a released version
(--okt-version). Controllers scaffolded by "create api" are then built
on the okt reconciler framework.
`

type initSubcommand struct {
	flags *pflag.FlagSet
	cfg   config.Config
	path  string
	ver   string
}

func (p *initSubcommand) UpdateMetadata(cli kbplugin.CLIMetadata, meta *kbplugin.SubcommandMetadata) {
	meta.Description += initDescription
	meta.Examples += fmt.Sprintf(`  # Scaffold an okt operator project using a local checkout of the library
  %[1]s init --domain example.com --repo example.com/memcached-operator --okt-path ../okt
`, cli.CommandName)
}

// BindFlags binds --okt-path and --okt-version once, even if the plugin is
// twice in the chain (a bundle and its own key); values are read back from
// the flag set.
func (p *initSubcommand) BindFlags(fs *pflag.FlagSet) {
	p.flags = fs
	if fs.Lookup("okt-path") == nil {
		fs.String("okt-path", defaultLibraryPath(), pathUsage)
	}
	if fs.Lookup("okt-version") == nil {
		fs.String("okt-version", "", "version of the okt library to require instead of a local checkout")
	}
}

func (p *initSubcommand) InjectConfig(c config.Config) error {
	p.cfg = c
	return nil
}

func flagValue(fs *pflag.FlagSet, name string) string {
	if fs == nil {
		return ""
	}
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// PreScaffold checks the library's location before anything is written.
func (p *initSubcommand) PreScaffold(machinery.Filesystem) error {
	p.path, p.ver = flagValue(p.flags, "okt-path"), flagValue(p.flags, "okt-version")
	if p.path == "" && p.flags == nil {
		p.path = defaultLibraryPath()
	}
	fromBuild := (p.flags == nil || !p.flags.Changed("okt-path")) && os.Getenv(EnvPath) == ""
	if p.ver != "" && (p.path == "" || fromBuild) {
		// --okt-version alone: the build-time default does not apply.
		p.path = ""
		return nil
	}
	abs, err := checkLibrary(p.path)
	if err != nil {
		return err
	}
	p.path = abs
	return nil
}

func (p *initSubcommand) Scaffold(fs machinery.Filesystem) error {
	if _, err := (scaffolds.Init{Path: p.path, Version: p.ver}).Scaffold(fs.FS); err != nil {
		return err
	}
	if err := p.cfg.EncodePluginConfig(Key, Config{Library: scaffolds.LibraryModule}); err != nil {
		return fmt.Errorf("cannot record okt in PROJECT: %w", err)
	}
	return nil
}

// PostScaffold puts the library back in go.mod after go/v4's `go mod
// tidy`, which drops it while no code imports it yet.
func (p *initSubcommand) PostScaffold() error {
	_, err := (scaffolds.Init{Path: p.path, Version: p.ver}).Scaffold(osFs())
	return err
}

type createAPISubcommand struct {
	cfg       config.Config
	res       *resource.Resource
	lifecycle bool
}

// BindFlags binds --lifecycle.
func (p *createAPISubcommand) BindFlags(fs *pflag.FlagSet) {
	if fs.Lookup("lifecycle") == nil {
		fs.BoolVar(&p.lifecycle, "lifecycle", false, lifecycleUsage)
	}
}

const lifecycleUsage = "also scaffold the application's lifecycle (okt/lifecycle): states Deploying, Running, " +
	"Upgrading and Degraded in <kind>_lifecycle.go with its test, a Lifecycle field in the status, " +
	"and OnSuccess driving it (needs --controller)"

// PreScaffold refuses --lifecycle where it cannot be scaffolded, before any
// plugin writes anything.
func (p *createAPISubcommand) PreScaffold(fs machinery.Filesystem) error {
	if !p.lifecycle {
		return nil
	}
	if !active(p.cfg) {
		return fmt.Errorf("--lifecycle needs a project initialized with the okt plugin (%s)", Key)
	}
	return scaffolds.API{Config: p.cfg, Resource: *p.res, Controller: p.res.HasController()}.CheckLifecycle(fs.FS, p.res.HasAPI())
}

func (p *createAPISubcommand) UpdateMetadata(cli kbplugin.CLIMetadata, meta *kbplugin.SubcommandMetadata) {
	meta.Description += `
The okt plugin (` + Key + `) adds status conditions to the API types and
replaces the controller with one built on the okt library (Stepper engine),
with one place per state for your code. Add the resources it manages with
"` + cli.CommandName + ` create resource". The kind also joins the local
end-to-end test (test/e2e-local, "make test-e2e-local"): the manager, run
against okt's local cluster, brings its sample to Ready with its Pods Running.
--lifecycle also scaffolds the application's lifecycle (okt/lifecycle).
`
	meta.Examples += `
  # An okt controller whose application goes Deploying, Running, Upgrading, Degraded
  ` + cli.CommandName + ` create api --group cache --version v1alpha1 --kind Memcached --resource --controller --lifecycle
`
}

func (p *createAPISubcommand) InjectConfig(c config.Config) error {
	p.cfg = c
	return nil
}

func (p *createAPISubcommand) InjectResource(res *resource.Resource) error {
	p.res = res
	return nil
}

func (p *createAPISubcommand) Scaffold(fs machinery.Filesystem) error {
	if !active(p.cfg) {
		fmt.Fprintf(os.Stderr, "%s: PROJECT has no %s configuration; keeping go/v4's scaffold\n", Key, Key)
		return nil
	}
	res := *p.res
	hasAPI := res.HasAPI()
	if r, err := p.cfg.GetResource(res.GVK); err == nil && r.HasAPI() {
		hasAPI = true
	}
	if !hasAPI {
		if res.HasController() {
			fmt.Fprintf(os.Stderr, "%s: %s is not an API of this project; keeping go/v4's controller\n", Key, res.Kind)
		}
		return nil
	}
	_, err := scaffolds.API{Config: p.cfg, Resource: res, Types: res.HasAPI(), Controller: res.HasController(), Lifecycle: p.lifecycle}.Scaffold(fs.FS)
	return err
}

type createWebhookSubcommand struct{}

func (p *createWebhookSubcommand) UpdateMetadata(_ kbplugin.CLIMetadata, meta *kbplugin.SubcommandMetadata) {
	meta.Description += "\nThe okt plugin (" + Key + ") adds nothing to webhooks: they are go/v4's.\n"
}

func (p *createWebhookSubcommand) InjectResource(*resource.Resource) error { return nil }

func (p *createWebhookSubcommand) Scaffold(machinery.Filesystem) error { return nil }

type editSubcommand struct{}

func (p *editSubcommand) UpdateMetadata(_ kbplugin.CLIMetadata, meta *kbplugin.SubcommandMetadata) {
	meta.Description += "\nThe okt plugin (" + Key + ") changes nothing on edit.\n"
}

func (p *editSubcommand) Scaffold(machinery.Filesystem) error { return nil }
