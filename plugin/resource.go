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
	// Plural is the resource name of a kind from a manifest that is not in
	// the dictionary (--plural), for its RBAC marker; guessed when safe.
	Plural string
	// ClusterScoped marks a kind from a manifest that is not in the
	// dictionary as cluster-scoped (--cluster-scoped); nil when not given.
	ClusterScoped *bool
	// DependsOn names resources of the same custom resource kind that the
	// new one waits for (--depends-on, repeatable): their --name, or
	// Type/name.
	DependsOn []string
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
	var manifest []byte
	if opts.From != "" {
		if manifest, err = afero.ReadFile(files, opts.From); err != nil {
			return nil, fmt.Errorf("cannot read --from: %w", err)
		}
	}
	k, err := kinds.Resolve(scaffolds.KindRequest{Type: opts.Type, Manifest: manifest, Template: opts.Template,
		Plural: opts.Plural, ClusterScoped: opts.ClusterScoped})
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		return nil, fmt.Errorf("--name is required: a lowercase name such as %q", "web")
	}
	r := scaffolds.Resource{Config: cfg, Owner: owner, Kind: k, Name: opts.Name, Force: opts.Force, Template: opts.Template,
		Manifest: manifest, DependsOn: opts.DependsOn, Kinds: kinds}
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
		Long: `Add a Kubernetes resource (a Deployment, a Service, a ClusterRole, a custom
resource of another operator...) owned by a custom resource to its okt
controller.

It writes internal/controller/<kind>_<name>_<type>.go, with the function
new<Kind><Name><Type> that builds the resource: a Go stub with defaults for
the type, or, with --from, the given YAML manifest. Objects are named
"<custom resource name>-<name>" and put in the custom resource's namespace.

Cluster-scoped kinds (ClusterRole, ClusterRoleBinding, Namespace,
PriorityClass, StorageClass, IngressClass, PersistentVolume, the admission
webhook configurations) get no namespace and a name unique in the cluster,
"<namespace>-<custom resource name>-<name>". okt ties them to their custom
resource by its owner label (an owner reference cannot) and deletes them
itself when it is deleted; the controller watches them with
Watches(..., okt.EnqueueOwner[...]) instead of Owns. The RBAC markers of
Role and ClusterRole have the verbs bind and escalate too: an operator
creating roles needs them to grant permissions it does not hold itself.

--from takes any valid YAML manifest of one object (block or flow style,
comments, quoted keys), literally: its text is the object
(resources.Decode), and braces in it, such as the {{ $labels.instance }} of
Prometheus alert rules, are data that reach the object as written. With
--template the manifest is instead a text/template rendered with the custom
resource at each reconcile (resources.Render): "replicas: {{ .Spec.Size }}";
write braces that are data as {{"{{"}} and {{"}}"}} there. It is kept in the
file as YAML, with its comments. With --from, --type may be left out: the
manifest's kind is taken (when both are given they must agree).

A kind of the dictionary below is checked now against its Go type: the
manifest's apiVersion and every field (unknown fields are errors), and with
--template that it parses. A manifest's kind that is not in the dictionary
is built as *unstructured.Unstructured when it is clearly another API's: no
known kind has its name in another case (that is a typo), and its group is
a domain (monitoring.coreos.com) that is neither a group of the dictionary
nor one of the Kubernetes API. Only its apiVersion, kind and metadata are
checked then. Its RBAC marker needs its plural: --plural, else
lowercase kind + "s" when that is safe (the kind does not end in s, x, z,
ch, sh or y, and flect agrees). --cluster-scoped says its objects have no
namespace (for a dictionary kind the dictionary says it, and a contradicting
flag is an error). The manager watches the kind: its CRD must be installed
wherever the manager runs, envtest included.

--depends-on NAME (repeatable) orders the new resource after another
resource of the same custom resource kind, already scaffolded (its --name;
Type/NAME when two types share the name): okt applies it only once that one
is ready (a StatefulSet rolled out, a Job complete) and deletes it first
(resources.DependsOn).

The controller gets the builder in GetObjects, Owns(...) or Watches(...) in
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
    # clusterScoped: true   (for a kind whose objects have no namespace)

Everything is checked before anything is written: on error the project is
left unchanged.`,
		Example: `  # A Deployment "memcached" for each Memcached
  okt create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached

  # A Service built from a manifest, taken literally
  okt create resource --group cache --version v1alpha1 --kind Memcached --type Service --name memcached --from service.yaml

  # Prometheus alert rules: their {{ $labels.instance }} stay as written
  okt create resource --group cache --version v1alpha1 --kind Memcached --type ConfigMap --name alerts --from alert-rules.yaml

  # A ConfigMap rendered with each Memcached ({{ .Name }}, {{ .Spec.Size }})
  okt create resource --group cache --version v1alpha1 --kind Memcached --type ConfigMap --name settings --from settings.yaml --template

  # A cluster-scoped ClusterRole "<namespace>-<name>-reader" for each Memcached
  okt create resource --group cache --version v1alpha1 --kind Memcached --type ClusterRole --name reader

  # A ServiceMonitor (Prometheus Operator) from a manifest: no Go type, built as unstructured
  okt create resource --group cache --version v1alpha1 --kind Memcached --name monitor --from servicemonitor.yaml --plural servicemonitors

  # A Job run once the StatefulSet "db" is ready
  okt create resource --group cache --version v1alpha1 --kind Datastore --type StatefulSet --name db
  okt create resource --group cache --version v1alpha1 --kind Datastore --type Job --name migrate --depends-on db`,
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
	f.StringVar(&opts.Type, "type", "", "kind of the resource to add, e.g. Deployment (with --from: the manifest's kind by default)")
	f.StringVar(&opts.Name, "name", "", "name of the resource (a DNS label), unique per type and custom resource")
	f.StringVar(&opts.From, "from", "", "YAML manifest to build the resource from, taken literally, instead of a Go stub")
	f.BoolVar(&opts.Template, "template", false, "with --from: the manifest is a text/template rendered with the custom resource")
	f.StringVar(&opts.KindsFile, "kinds-file", "", "YAML file of extra kinds for --type")
	f.BoolVar(&opts.Force, "force", false, "generate the resource file again if it exists")
	f.StringVar(&opts.Plural, "plural", "", "with --from a kind not in the dictionary: its resource name, for RBAC (guessed when safe)")
	clusterScoped := f.Bool("cluster-scoped", false, "with --from a kind not in the dictionary: its objects have no namespace")
	f.StringArrayVar(&opts.DependsOn, "depends-on", nil, "name (or Type/name) of another resource of the custom resource, already scaffolded, that this one waits for (repeatable)")
	cmd.PreRun = func(cmd *cobra.Command, _ []string) {
		if cmd.Flags().Changed("cluster-scoped") {
			opts.ClusterScoped = clusterScoped
		}
	}
	return cmd
}
