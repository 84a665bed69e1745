package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"sigs.k8s.io/kubebuilder/v4/pkg/cli"
	cfgv3 "sigs.k8s.io/kubebuilder/v4/pkg/config/v3"
	kustomizev2 "sigs.k8s.io/kubebuilder/v4/pkg/plugins/common/kustomize/v2"
	golangv4 "sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang/v4"

	"github.com/okt-dev/okt/plugin"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "devel"

func main() {
	if plugin.IsExternalInvocation(os.Args[0]) {
		if err := plugin.RunExternal(os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	logrus.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	c, err := newCLI()
	if err != nil {
		logrus.Fatal(err)
	}
	if err := c.Run(); err != nil {
		// The command already printed it ("Error: ..."): once is enough.
		os.Exit(1)
	}
}

func newCLI() (*cli.CLI, error) {
	bundle, err := plugin.Bundle()
	if err != nil {
		return nil, err
	}
	c, err := cli.New(
		cli.WithCommandName("okt"),
		cli.WithVersion(versionString()),
		cli.WithCliVersion(version),
		cli.WithDescription(`okt scaffolds Kubernetes operators whose controllers are built on the okt
library (github.com/okt-dev/okt). It is kubebuilder's CLI with the okt plugin
(`+plugin.Key+`) in its go/v4 bundle: projects keep the layout
go.kubebuilder.io/v4 and stay usable by stock kubebuilder and operator-sdk.

  okt init --domain example.com --repo example.com/memcached-operator --okt-path ../okt
  okt create api --group cache --version v1alpha1 --kind Memcached --resource --controller
  okt create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached
`),
		cli.WithPlugins(bundle, golangv4.Plugin{}, kustomizev2.Plugin{}, plugin.New()),
		cli.WithDefaultPlugins(cfgv3.Version, bundle),
		cli.WithDefaultProjectVersion(cfgv3.Version),
		cli.WithExtraCommands(plugin.NewInstallCommand(), newClusterCommand()),
		cli.WithCompletion(),
	)
	if err != nil {
		return nil, err
	}
	if err := addCreateResource(c.Command()); err != nil {
		return nil, err
	}
	return c, nil
}

// addCreateResource attaches `create resource` to the CLI's create command.
func addCreateResource(root *cobra.Command) error {
	for _, cmd := range root.Commands() {
		if cmd.Name() == "create" {
			cmd.AddCommand(plugin.NewCreateResourceCommand())
			return nil
		}
	}
	return fmt.Errorf("the CLI has no create command")
}

func versionString() string {
	api := depVersion(k8sAPIModule)
	return fmt.Sprintf("okt %s (plugin %s, kubebuilder %s, controller-runtime %s, k8s.io %s: Kubernetes %s)",
		version, plugin.Key, kubebuilderVersion(), depVersion(controllerRuntimeModule), api, kubernetesMinor(api))
}

// The modules whose versions okt version prints: the go/v4 scaffold is
// kubebuilder's, and a project's controller-runtime and k8s.io modules are
// the okt library's (create api moves the project to them).
const (
	kubebuilderModule       = "sigs.k8s.io/kubebuilder/v4"
	controllerRuntimeModule = "sigs.k8s.io/controller-runtime"
	k8sAPIModule            = "k8s.io/api"
)

// kubebuilderVersion returns the version of kubebuilder the binary is built
// with (go.mod's, v4.16.0 at this writing): the go/v4 scaffold okt init
// writes is that version's.
func kubebuilderVersion() string { return depVersion(kubebuilderModule) }

// depVersion returns the version of a module the binary is built with.
func depVersion(module string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != module {
				continue
			}
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "(unknown version)"
}

// kubernetesMinor returns the Kubernetes release of a k8s.io module
// version: v0.37.2 is 1.37.
func kubernetesMinor(v string) string {
	parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
	if len(parts) < 2 || parts[0] != "0" {
		return "(unknown)"
	}
	return "1." + parts[1]
}
