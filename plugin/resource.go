package plugin

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	"sigs.k8s.io/kubebuilder/v4/pkg/config/store/yaml"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"

	"github.com/okt-dev/okt/scaffolds"
)

func osFs() afero.Fs { return afero.NewOsFs() }

// ResourceOptions are the inputs of `create resource`.
type ResourceOptions struct {
	Group, Version, Kind string
	// Type is the kind of the resource to add, e.g. Deployment.
	Type string
	// Name names the resource within the custom resource.
	Name string
	// From is the path of a YAML manifest to build the resource from.
	From string
	// Template makes the manifest a text/template rendered with the custom
	// resource; otherwise it is taken literally.
	Template bool
	// KindsFile is the path of a YAML file of extra kinds.
	KindsFile string
	// Force regenerates an existing resource file.
	Force bool
}

var kindRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// CreateResource adds a resource to the okt controller of a custom resource
// in the project at the root of fsys (PROJECT, api/, internal/controller/).
// Files named by opts (From, KindsFile) are read from files. Everything is
// checked before anything is written: on error the project is unchanged.
// It returns the files it changed.
func CreateResource(fsys, files afero.Fs, opts ResourceOptions) ([]string, error) {
	store := yaml.New(machinery.Filesystem{FS: fsys})
	if err := store.Load(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no PROJECT file here: run this command at the root of a project made by `okt init`")
		}
		return nil, fmt.Errorf("cannot read PROJECT: %w", err)
	}
	cfg := store.Config()
	owner, err := ownerResource(cfg, opts)
	if err != nil {
		return nil, err
	}
	var kindsData []byte
	if opts.KindsFile != "" {
		if kindsData, err = afero.ReadFile(files, opts.KindsFile); err != nil {
			return nil, fmt.Errorf("cannot read --kinds-file: %w", err)
		}
	}
	kinds, err := scaffolds.LoadKinds(kindsData)
	if err != nil {
		return nil, fmt.Errorf("--kinds-file %s: %w", opts.KindsFile, err)
	}
	if opts.Type == "" {
		return nil, fmt.Errorf("--type is required: one of %v", kinds.Names())
	}
	k, err := kinds.Lookup(opts.Type)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		return nil, fmt.Errorf("--name is required: a lowercase name such as %q", "web")
	}
	r := scaffolds.Resource{Config: cfg, Owner: owner, Kind: k, Name: opts.Name, Force: opts.Force, Template: opts.Template}
	if opts.From != "" {
		if r.Manifest, err = afero.ReadFile(files, opts.From); err != nil {
			return nil, fmt.Errorf("cannot read --from: %w", err)
		}
	}
	return r.Scaffold(fsys)
}

// ownerResource returns the custom resource of opts as recorded in PROJECT.
func ownerResource(cfg config.Config, opts ResourceOptions) (resource.Resource, error) {
	switch {
	case opts.Version == "":
		return resource.Resource{}, fmt.Errorf("--version is required, for example v1alpha1")
	case opts.Kind == "":
		return resource.Resource{}, fmt.Errorf("--kind is required: the kind of the custom resource, for example Memcached")
	case !kindRE.MatchString(opts.Kind):
		return resource.Resource{}, fmt.Errorf("invalid --kind %q: a kind is UpperCamelCase, for example Memcached", opts.Kind)
	}
	gvk := resource.GVK{Group: opts.Group, Domain: cfg.GetDomain(), Version: opts.Version, Kind: opts.Kind}
	res, err := cfg.GetResource(gvk)
	if err != nil || !res.HasAPI() {
		return resource.Resource{}, fmt.Errorf("PROJECT has no API %s/%s %s: run `okt create api --group %s --version %s --kind %s --resource --controller` first",
			opts.Group, opts.Version, opts.Kind, opts.Group, opts.Version, opts.Kind)
	}
	if !res.HasController() {
		return resource.Resource{}, fmt.Errorf("API %s has no controller: run `okt create api --group %s --version %s --kind %s --resource=false --controller` first",
			opts.Kind, opts.Group, opts.Version, opts.Kind)
	}
	return res, nil
}

// NewCreateResourceCommand returns the `create resource` command, working in
// the current directory.
func NewCreateResourceCommand() *cobra.Command {
	var opts ResourceOptions
	cmd := &cobra.Command{
		Use:   "resource",
		Short: "Add a Kubernetes resource to the okt controller of an API",
		Long: `Add a Kubernetes resource (a Deployment, a Service...) owned by a custom resource
to its okt controller.

It writes internal/controller/<kind>_<name>_<type>.go, with the function
new<Kind><Name><Type> that builds the resource: a Go stub with defaults for
the type, or, with --from, the given YAML manifest. Objects are named
"<custom resource name>-<name>" and put in the custom resource's namespace.

--from takes any valid YAML manifest of one object (block or flow style,
comments, quoted keys), literally: its text is the object
(resources.Decode), and braces in it, such as the {{ $labels.instance }} of
Prometheus alert rules, are data that reach the object as written. With
--template the manifest is instead a text/template rendered with the custom
resource at each reconcile (resources.Render): "replicas: {{ .Spec.Size }}";
write braces that are data as {{"{{"}} and {{"}}"}} there. Either way the
manifest is checked now: its kind, its fields against the type (unknown
fields are errors), and with --template that it parses. It is kept in the
file as YAML, with its comments.

The controller gets the builder in GetObjects, Owns(...) in
SetupWithManager, an RBAC marker and the import, at its
"// +okt:scaffold:..." markers; code already there is not added twice.

Known types: ` + fmt.Sprint(scaffolds.DefaultKinds().Names()) + `.
Add others with --kinds-file, a YAML file such as:

  kinds:
  - kind: Certificate
    group: cert-manager.io
    version: v1
    importPath: github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1
    alias: certmanagerv1
    plural: certificates

Everything is checked before anything is written: on error the project is
left unchanged.`,
		Example: `  # A Deployment "memcached" for each Memcached
  okt create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached

  # A Service built from a manifest, taken literally
  okt create resource --group cache --version v1alpha1 --kind Memcached --type Service --name memcached --from service.yaml

  # Prometheus alert rules: their {{ $labels.instance }} stay as written
  okt create resource --group cache --version v1alpha1 --kind Memcached --type ConfigMap --name alerts --from alert-rules.yaml

  # A ConfigMap rendered with each Memcached ({{ .Name }}, {{ .Spec.Size }})
  okt create resource --group cache --version v1alpha1 --kind Memcached --type ConfigMap --name settings --from settings.yaml --template`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			changed, err := CreateResource(osFs(), osFs(), opts)
			if err != nil {
				return err
			}
			for _, p := range changed {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			if opts.From != "" && !opts.Template {
				if manifest, err := os.ReadFile(opts.From); err == nil {
					if hint := scaffolds.TemplateHint(manifest); hint != "" {
						fmt.Fprintln(cmd.ErrOrStderr(), "note: "+hint)
					}
				}
			}
			if len(changed) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "nothing to change")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Group, "group", "", "API group of the custom resource")
	f.StringVar(&opts.Version, "version", "", "API version of the custom resource")
	f.StringVar(&opts.Kind, "kind", "", "kind of the custom resource")
	f.StringVar(&opts.Type, "type", "", "kind of the resource to add, e.g. Deployment")
	f.StringVar(&opts.Name, "name", "", "name of the resource (a DNS label), unique per type and custom resource")
	f.StringVar(&opts.From, "from", "", "YAML manifest to build the resource from, taken literally, instead of a Go stub")
	f.BoolVar(&opts.Template, "template", false, "with --from: the manifest is a text/template rendered with the custom resource")
	f.StringVar(&opts.KindsFile, "kinds-file", "", "YAML file of extra kinds for --type")
	f.BoolVar(&opts.Force, "force", false, "generate the resource file again if it exists")
	return cmd
}
