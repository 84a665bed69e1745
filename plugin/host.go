package plugin

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/pflag"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
	kbplugin "sigs.k8s.io/kubebuilder/v4/pkg/plugin"
)

// BundlesFor compiles okt into a CLI built on kubebuilder's pkg/cli
// (operator-sdk, or any other) that has its own Go bundle, hostGo (in
// operator-sdk: kustomize/v2, go/v4, manifests/v2 and scorecard/v2 under
// go.kubebuilder.io/v4). It returns two bundles that the CLI registers in its
// plugin list:
//
//   - goBundle replaces hostGo (same key, same plugins, in the same order) and
//     adds okt at its end. okt acts there only on okt projects: at init when
//     --plugins names okt.orange.com/v1, later when PROJECT has okt's
//     configuration. Without okt, the CLI behaves as before, default init
//     included.
//   - oktBundle is okt.orange.com/v1: hostGo's plugins then okt, so that
//     `init --plugins okt.orange.com/v1` runs the whole Go scaffold.
//
// Both `init --plugins okt.orange.com/v1` and `init --plugins
// go/v4,okt.orange.com/v1` then work: every plugin runs once per command
// even when both bundles are in the chain (kubebuilder would run go/v4 twice,
// and panic on its flags), and init records the project's layout as hostGo's
// key alone (go.kubebuilder.io/v4), okt being recorded under the plugins
// section of PROJECT. The host's other plugins accept that layout (operator-
// sdk's manifests plugin and `generate kustomize manifests` require a layout
// key that starts with "go"), later commands (create api, create webhook,
// edit) resolve it to goBundle, and the same CLI without okt (a teammate's
// stock operator-sdk) still reads the project as a plain Go one.
//
// In operator-sdk's internal/cmd/operator-sdk/cli/cli.go, after gov4Bundle is
// built:
//
//	gov4Bundle, oktBundle, err := oktplugin.BundlesFor(gov4Bundle)
//	if err != nil {
//		log.Fatal(err)
//	}
//
// and oktBundle next to gov4Bundle in cli.WithPlugins. gov4Bundle stays the
// default plugin (cli.WithDefaultPlugins). Use both bundles: registering
// oktBundle next to the host's original Go bundle would leave okt out of
// later commands.
func BundlesFor(hostGo kbplugin.Bundle) (goBundle, oktBundle kbplugin.Bundle, err error) {
	if hostGo == nil {
		return nil, nil, errors.New("okt: BundlesFor needs the CLI's Go bundle (for example operator-sdk's gov4Bundle), got nil")
	}
	h := &host{goKey: kbplugin.KeyFor(hostGo), commands: map[any]*command{}}
	if h.goKey == Key {
		return nil, nil, fmt.Errorf("okt: BundlesFor needs the CLI's Go bundle, got okt's own bundle %s", Key)
	}
	var plugins []kbplugin.Plugin
	for _, p := range hostGo.Plugins() {
		if kbplugin.KeyFor(p) == Key {
			continue // okt is added once, at the end
		}
		plugins = append(plugins, hosted{h: h, p: p})
	}
	if len(plugins) == 0 {
		return nil, nil, fmt.Errorf("okt: the CLI's Go bundle %s has no plugins", h.goKey)
	}
	plugins = append(plugins, hosted{h: h, p: New(), okt: true})
	var deprecation string
	if d, ok := hostGo.(kbplugin.Deprecated); ok {
		deprecation = d.DeprecationWarning()
	}
	goBundle, err = kbplugin.NewBundleWithOptions(
		kbplugin.WithName(hostGo.Name()),
		kbplugin.WithVersion(hostGo.Version()),
		kbplugin.WithPlugins(plugins...),
		kbplugin.WithDeprecationMessage(deprecation),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("okt: cannot add okt to the Go bundle %s: %w", h.goKey, err)
	}
	oktBundle, err = kbplugin.NewBundleWithOptions(
		kbplugin.WithName(Name),
		kbplugin.WithVersion(Version),
		kbplugin.WithPlugins(plugins...),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("okt: cannot bundle %s with the plugins of %s: %w", Key, h.goKey, err)
	}
	return goBundle, oktBundle, nil
}

// host is what the plugins of the two bundles of one BundlesFor share: per
// command of the CLI, which plugin keys already have a subcommand in the
// chain.
type host struct {
	goKey string

	mu       sync.Mutex
	commands map[any]*command
}

// command is one command of the CLI (init, create api, ...) as its hosted
// subcommands see it.
type command struct {
	// claimed holds the plugin keys that have a running subcommand.
	claimed map[string]bool
	// okt is set at init when --plugins names okt.orange.com/v1.
	okt bool
}

// claim registers a subcommand of the plugin key for the command id (the
// first pointer the CLI hands to every subcommand of one command): it
// returns the command and whether the key was already taken, in which case
// the subcommand must do nothing.
func (h *host) claim(id any, key string) (*command, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.commands[id]
	if c == nil {
		c = &command{claimed: map[string]bool{}}
		h.commands[id] = c
	}
	taken := c.claimed[key]
	c.claimed[key] = true
	return c, taken
}

// layout is run at init, before any plugin reads the configuration: when
// the chain names okt, it notes it for okt's init and records the host's Go
// key in its place (or drops it when the Go key is already there).
func (h *host) layout(c *command, cfg config.Config) error {
	chain := cfg.GetPluginChain()
	i := slices.Index(chain, Key)
	if i < 0 {
		return nil
	}
	h.mu.Lock()
	c.okt = true
	h.mu.Unlock()
	var layout []string
	for j, k := range chain {
		switch {
		case k == Key && j == i && !slices.Contains(chain, h.goKey):
			layout = append(layout, h.goKey)
		case k == Key:
		default:
			layout = append(layout, k)
		}
	}
	if err := cfg.SetPluginChain(layout); err != nil {
		return fmt.Errorf("cannot record the layout %v in PROJECT: %w", layout, err)
	}
	return nil
}

func (h *host) requested(c *command) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return c.okt
}

// hosted is a plugin of the host's Go bundle, or okt, as BundlesFor bundles
// it: its subcommands run once per command.
type hosted struct {
	h   *host
	p   kbplugin.Plugin
	okt bool
}

var (
	_ kbplugin.Full       = hosted{}
	_ kbplugin.Deprecated = hosted{}
)

func (p hosted) Name() string                               { return p.p.Name() }
func (p hosted) Version() kbplugin.Version                  { return p.p.Version() }
func (p hosted) SupportedProjectVersions() []config.Version { return p.p.SupportedProjectVersions() }

func (p hosted) DeprecationWarning() string {
	if d, ok := p.p.(kbplugin.Deprecated); ok {
		return d.DeprecationWarning()
	}
	return ""
}

func (p hosted) sub(kind string, inner kbplugin.Subcommand) *hostedSub {
	return &hostedSub{h: p.h, key: kbplugin.KeyFor(p.p), kind: kind, inner: inner, okt: p.okt}
}

func (p hosted) GetInitSubcommand() kbplugin.InitSubcommand {
	var inner kbplugin.Subcommand
	if i, ok := p.p.(kbplugin.Init); ok {
		inner = i.GetInitSubcommand()
	}
	return p.sub("init", inner)
}

func (p hosted) GetCreateAPISubcommand() kbplugin.CreateAPISubcommand {
	var inner kbplugin.Subcommand
	if i, ok := p.p.(kbplugin.CreateAPI); ok {
		inner = i.GetCreateAPISubcommand()
	}
	return &hostedResourceSub{p.sub("create api", inner)}
}

func (p hosted) GetCreateWebhookSubcommand() kbplugin.CreateWebhookSubcommand {
	var inner kbplugin.Subcommand
	if i, ok := p.p.(kbplugin.CreateWebhook); ok {
		inner = i.GetCreateWebhookSubcommand()
	}
	return &hostedResourceSub{p.sub("create webhook", inner)}
}

func (p hosted) GetEditSubcommand() kbplugin.EditSubcommand {
	var inner kbplugin.Subcommand
	if i, ok := p.p.(kbplugin.Edit); ok {
		inner = i.GetEditSubcommand()
	}
	return p.sub("edit", inner)
}

// hostedSub runs the hooks of inner (nil when the plugin has no such
// subcommand) unless the same plugin already has a subcommand in this
// command's chain.
type hostedSub struct {
	h     *host
	key   string
	kind  string
	inner kbplugin.Subcommand
	okt   bool

	decided bool
	skip    bool
	cmd     *command
	cfg     config.Config
}

// decide claims the plugin's key for the command the first hook identifies
// (UpdateMetadata's metadata, else BindFlags' flag set, else the
// configuration); a duplicate does nothing.
func (s *hostedSub) decide(id any) {
	if s.decided {
		return
	}
	s.decided = true
	s.cmd, s.skip = s.h.claim(id, s.key)
}

func (s *hostedSub) off() bool { return s.skip || s.inner == nil }

// oktOff reports whether okt's subcommand must stay out of this command: at
// init unless --plugins named okt, later on projects without okt.
func (s *hostedSub) oktOff() bool {
	if !s.okt {
		return false
	}
	if s.kind == "init" {
		return !s.h.requested(s.cmd)
	}
	return s.cfg == nil || !active(s.cfg)
}

func (s *hostedSub) UpdateMetadata(cli kbplugin.CLIMetadata, meta *kbplugin.SubcommandMetadata) {
	s.decide(meta)
	if s.off() {
		return
	}
	examples := meta.Examples
	if u, ok := s.inner.(kbplugin.UpdatesMetadata); ok {
		u.UpdateMetadata(cli, meta)
	}
	if s.okt && s.kind == "init" {
		meta.Description += "okt acts at init only when --plugins names it: --plugins " + Key + " (or go/v4," + Key + ").\n"
		// okt's own example assumes the okt CLI, where okt is the default.
		added := strings.TrimPrefix(meta.Examples, examples)
		meta.Examples = examples + strings.ReplaceAll(added, cli.CommandName+" init --domain", cli.CommandName+" init --plugins "+Key+" --domain")
	}
}

func (s *hostedSub) BindFlags(fs *pflag.FlagSet) {
	s.decide(fs)
	if s.off() {
		return
	}
	b, ok := s.inner.(kbplugin.HasFlags)
	if !ok {
		return
	}
	// A plugin whose flags an earlier plugin of the chain already defined
	// (the host's own Go bundle registered next to okt's) is already in
	// the chain, and binding them again would make pflag panic: this copy
	// stays out.
	scratch := pflag.NewFlagSet(s.key, pflag.ContinueOnError)
	b.BindFlags(scratch)
	var clash []string
	all := true
	scratch.VisitAll(func(f *pflag.Flag) {
		if fs.Lookup(f.Name) != nil {
			clash = append(clash, "--"+f.Name)
		} else {
			all = false
		}
	})
	if len(clash) > 0 && all {
		s.skip = true
		fmt.Fprintf(os.Stderr, "%s: not running %s's %s a second time (its flags %v are already defined): "+
			"register the Go bundle that plugin.BundlesFor returns in place of the CLI's own\n", Key, s.key, s.kind, clash)
		return
	}
	b.BindFlags(fs)
}

func (s *hostedSub) InjectConfig(cfg config.Config) error {
	s.decide(cfg)
	s.cfg = cfg
	if s.skip {
		return nil
	}
	if s.kind == "init" {
		// The first hook that sees the configuration: PROJECT's layout
		// becomes the host's Go key before any plugin reads it.
		if err := s.h.layout(s.cmd, cfg); err != nil {
			return err
		}
	}
	if s.off() {
		return nil
	}
	if s.okt && s.kind == "init" && !s.h.requested(s.cmd) {
		return nil
	}
	if r, ok := s.inner.(kbplugin.RequiresConfig); ok {
		return r.InjectConfig(cfg)
	}
	return nil
}

func (s *hostedSub) PreScaffold(fs machinery.Filesystem) error {
	if s.off() {
		return nil
	}
	if s.oktOff() {
		if s.kind == "init" {
			return s.unrequestedFlags()
		}
		return nil
	}
	if p, ok := s.inner.(kbplugin.HasPreScaffold); ok {
		return p.PreScaffold(fs)
	}
	return nil
}

// unrequestedFlags fails an init that sets okt's flags without okt in
// --plugins, instead of ignoring them.
func (s *hostedSub) unrequestedFlags() error {
	f, ok := s.inner.(*initSubcommand)
	if !ok || f.flags == nil {
		return nil
	}
	for _, name := range []string{"okt-path", "okt-version"} {
		if f.flags.Changed(name) {
			return fmt.Errorf("--%s is okt's flag, but --plugins does not name okt: add --plugins %s (or go/v4,%s)", name, Key, Key)
		}
	}
	return nil
}

func (s *hostedSub) Scaffold(fs machinery.Filesystem) error {
	if s.off() || s.oktOff() {
		return nil
	}
	return s.inner.Scaffold(fs)
}

func (s *hostedSub) PostScaffold() error {
	if s.off() || s.oktOff() {
		return nil
	}
	if p, ok := s.inner.(kbplugin.HasPostScaffold); ok {
		return p.PostScaffold()
	}
	return nil
}

// hostedResourceSub is a hostedSub of create api or create webhook.
type hostedResourceSub struct{ *hostedSub }

func (s *hostedResourceSub) InjectResource(res *resource.Resource) error {
	if s.off() {
		return nil
	}
	if r, ok := s.inner.(kbplugin.RequiresResource); ok {
		return r.InjectResource(res)
	}
	return nil
}
