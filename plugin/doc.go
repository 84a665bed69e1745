// Package plugin is the kubebuilder plugin okt.orange.com/v1: it turns the
// scaffold of kubebuilder's go/v4 plugin into an operator whose controllers
// are built on the okt library (github.com/okt-dev/okt/okt).
//
// # What it does
//
//   - init: adds the library to go.mod, with a replace directive to a local
//     checkout (--okt-path, or $OKT_PATH, or by default DefaultPath, the
//     checkout a binary built by `make build` comes from; the folder must hold
//     the library's go.mod) or a released version (--okt-version), and records
//     "okt.orange.com/v1: {library: github.com/okt-dev/okt}" in the plugins
//     section of PROJECT.
//   - create api: adds a Conditions []metav1.Condition field (list-map on
//     "type") to the <Kind>Status type, and replaces go/v4's controller and
//     its test with an okt one: <Kind>Reconciler keeps its Client and Scheme
//     fields and SetupWithManager (cmd/main.go uses them), Reconcile runs
//     okt.New + engines.NewStepper over a steps type with one commented
//     place per state, and the "// +okt:scaffold:{imports,resources,owns,rbac}"
//     markers receive what create resource adds. The test reconciles a sample
//     custom resource on envtest and expects Ready to be True. A controller
//     that already has the okt markers is the user's: it is never overwritten.
//   - create webhook and edit: nothing; they are go/v4's.
//   - create resource (a command, see NewCreateResourceCommand and
//     CreateResource): adds a Kubernetes resource owned by the custom resource:
//     a builder file internal/controller/<kind>_<name>_<type>.go (a Go stub with
//     defaults for the type, or a YAML manifest (--from) taken literally with
//     resources.Decode, or with --template rendered with the custom resource
//     by resources.Render) wired into the controller. The kinds it knows are in
//     scaffolds.DefaultKinds; a YAML file adds others. A manifest of another
//     API's kind (a custom resource without a Go type here) is built as
//     *unstructured.Unstructured (see scaffolds.Kinds.Resolve); cluster-scoped
//     objects are named with the custom resource's namespace and watched
//     with okt.EnqueueOwner; --depends-on orders the resource after others
//     (resources.DependsOn). Everything is checked before anything is
//     written, and code already in the controller is not inserted twice.
//
// # Compatibility of the projects
//
// In the okt CLI the plugin is part of the go.kubebuilder.io/v4 bundle (see
// Bundle), as operator-sdk does with its own plugins, so PROJECT keeps
// "layout: [go.kubebuilder.io/v4]". Stock kubebuilder and operator-sdk read
// such a project as a plain go/v4 one: kubebuilder (v4.6.0 to v4.16.0) stores
// the plugins section as free-form data (pkg/config/v3: a map of arbitrary
// objects), keeps unknown keys and ignores them. Their `create api` writes a go/v4 controller.
// An okt CLI (or a CLI with okt compiled in) acts on projects that have the
// okt configuration in PROJECT or okt.orange.com/v1 in their layout.
//
// # Three ways to run it
//
//  1. The okt CLI (cmd/okt): kubebuilder's pkg/cli with the bundle above,
//     plus `okt create resource` and `okt install-plugin`.
//
//  2. An external plugin of the stock kubebuilder CLI: `okt install-plugin`
//     copies the okt binary to
//     <plugins root>/okt.orange.com/v1/okt.orange.com (see PluginsRoot).
//     Started under that name, the binary answers kubebuilder's JSON
//     protocol (RunExternal): it runs the same scaffolders on an in-memory copy
//     of the request's universe and returns the files they changed. Then:
//
//     kubebuilder init --plugins go/v4,okt.orange.com/v1 --domain example.com --repo example.com/op --okt-path ../okt
//     kubebuilder create api --group cache --version v1alpha1 --kind Memcached --resource --controller
//
//     Such a project has okt.orange.com/v1 in its layout: stock kubebuilder
//     then needs the plugin installed. The external protocol cannot change
//     PROJECT, so the plugins section is not written in this mode.
//
//  3. Compiled into another CLI built on kubebuilder's pkg/cli, v4.6.0 to
//     v4.16.0 (operator-sdk v1.41+ is on v4.6.0; it never discovers external
//     plugins). The plugin compiles against the host's kubebuilder: the host
//     keeps its own versions with replace directives (see
//     docs/compatibility.md), and its go/v4 scaffold is its own. The okt
//     library then moves the project to its controller-runtime and k8s.io
//     versions (minimal version selection at go mod tidy). The
//     CLI hands its Go bundle to BundlesFor and registers the two bundles it
//     returns; in operator-sdk's internal/cmd/operator-sdk/cli/cli.go, after
//     gov4Bundle is built:
//
//     import oktplugin "github.com/okt-dev/okt/plugin"
//
//     gov4Bundle, oktBundle, err := oktplugin.BundlesFor(gov4Bundle) // then: if err != nil { log.Fatal(err) }
//     cli.WithPlugins(..., gov4Bundle, oktBundle, ...)                 // oktBundle next to gov4Bundle
//
//     Then `init --plugins okt.orange.com/v1` and `init --plugins
//     go/v4,okt.orange.com/v1` both run the CLI's whole Go scaffold once
//     (operator-sdk's manifests and scorecard included) and okt; PROJECT
//     keeps "layout: [go.kubebuilder.io/v4]" with okt under plugins, as in
//     the okt CLI, so later commands of that CLI run okt on okt projects
//     and the same CLI without okt reads the project as a plain Go one. A
//     plain `init` stays the CLI's own. hack/operator-sdk.sh (make
//     operator-sdk) builds operator-sdk this way. Registering New() alone
//     (cli.WithPlugins(oktplugin.New())) also works, with `--plugins
//     go/v4,okt.orange.com/v1` only, and leaves okt in the layout.
//
// The plugin implements plugin.Deprecated (kubebuilder before v4.15 panics
// without it) and binds its flags only once, so it may be in a chain twice
// (a bundle and its own key); every step is idempotent.
package plugin
