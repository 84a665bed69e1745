package scaffolds

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
)

// Resource is what `okt create resource` adds to the okt controller of a
// custom resource: a builder file and its wiring (registration, Owns, RBAC
// marker, imports).
type Resource struct {
	// Config is the project configuration (PROJECT).
	Config config.Config
	// Owner is the custom resource whose controller owns the new resource.
	Owner resource.Resource
	// Kind is the kind of the new resource (--type).
	Kind Kind
	// Name names the resource (--name): its objects are named
	// "<custom resource name>-<Name>".
	Name string
	// Manifest, when not nil, is the YAML manifest the resource is built from
	// (--from); otherwise the builder is a Go stub with defaults for Kind.
	// The manifest is the object, taken literally (resources.Decode), unless
	// Template is set.
	Manifest []byte
	// Template makes Manifest a text/template rendered with the custom
	// resource (--template, resources.Render).
	Template bool
	// Force regenerates the builder file when it exists.
	Force bool
	// DependsOn names other resources of the same custom resource kind,
	// already scaffolded, that the new one waits for (--depends-on): each
	// is the --name of one ("db"), or Type/name ("StatefulSet/db") when the
	// name alone is ambiguous. The builder gets resources.DependsOn.
	DependsOn []string
	// Kinds is the dictionary of kinds (with the kinds file), to know the
	// scope of the resources DependsOn names; DefaultKinds when nil.
	Kinds Kinds
}

// FuncName returns the name of the builder function.
func (r Resource) FuncName() string {
	return "new" + r.Owner.Kind + camel(r.Name) + r.Kind.Kind
}

// Path returns the path of the builder file.
func (r Resource) Path() string {
	return filepath.Join(controllerDir(r.Config.IsMultiGroup(), r.Owner), builderFile(r.Owner.Kind, r.Name, r.Kind.Kind))
}

// builderFile is the name of the builder file of the resource name of kind
// of a custom resource kind.
func builderFile(owner, name, kind string) string {
	return fmt.Sprintf("%s_%s_%s.go", strings.ToLower(owner), strings.ReplaceAll(name, "-", "_"), strings.ToLower(kind))
}

// ObjectFunc returns the name of the function that returns an empty object
// of an unstructured kind, for the controller's watch.
func (r Resource) ObjectFunc() string { return r.FuncName() + "Object" }

// ownerNamespaced reports whether the custom resource is namespaced (as
// PROJECT records it; namespaced when it does not say).
func (r Resource) ownerNamespaced() bool {
	return r.Owner.API == nil || r.Owner.API.Namespaced
}

// byLabel reports whether the objects are tied to their custom resource by
// okt's owner label rather than an owner reference: they are cluster-scoped
// and it is namespaced. They are then named with its namespace, to be
// unique in the cluster, and watched with okt.EnqueueOwner.
func (r Resource) byLabel() bool { return r.Kind.ClusterScoped && r.ownerNamespaced() }

// nameExpr returns the Go expression of the name of the object of the
// resource name: "<custom resource name>-<name>", prefixed with the custom
// resource's namespace when the object is tied by label (cluster-scoped).
func nameExpr(byLabel bool, name string) string {
	if byLabel {
		return fmt.Sprintf("cr.Namespace + \"-\" + cr.Name + %q", "-"+name)
	}
	return fmt.Sprintf("cr.Name + %q", "-"+name)
}

// objectType returns the Go type of the objects, without its star.
func (r Resource) objectType() string {
	if r.Kind.Unstructured {
		return "unstructured.Unstructured"
	}
	return r.Kind.Alias + "." + r.Kind.Kind
}

// watchObject returns the Go expression of the object the controller
// watches the kind with.
func (r Resource) watchObject() string {
	if r.Kind.Unstructured {
		return r.ObjectFunc() + "()"
	}
	return "&" + r.objectType() + "{}"
}

func camel(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// markers returns the okt insertion markers of a controller at path.
func markers(path string) map[string]machinery.Marker {
	m := map[string]machinery.Marker{}
	for _, n := range []string{MarkerImports, MarkerResources, MarkerOwns, MarkerRBAC} {
		m[n] = machinery.NewMarkerWithPrefixFor(MarkerPrefix, path, n)
	}
	return m
}

// Validate checks everything Scaffold needs, reading fsys only, and
// returns the first problem found, worded as what to fix.
func (r Resource) Validate(fsys afero.Fs) error {
	_, err := r.plan(fsys)
	return err
}

// plan validates r and returns the builder file to write.
func (r Resource) plan(fsys afero.Fs) (*ResourceFile, error) {
	if errs := validation.IsDNS1123Label(r.Name); len(errs) > 0 {
		return nil, fmt.Errorf("invalid --name %q: %s", r.Name, strings.Join(errs, "; "))
	}
	if err := r.Kind.Validate(); err != nil {
		return nil, err
	}
	if r.Owner.Path == "" {
		return nil, fmt.Errorf("%s has no Go package in PROJECT: run `create api` for it first", r.Owner.Kind)
	}
	if !r.Kind.Unstructured && r.Kind.Alias == r.Owner.ImportAlias() {
		return nil, fmt.Errorf("the import alias %q of %s is also the alias of %s's API: set another alias in a --kinds-file",
			r.Kind.Alias, r.Kind.Kind, r.Owner.Kind)
	}
	multi := r.Config.IsMultiGroup()
	ctrlPath := ControllerPath(multi, r.Owner)
	src, err := afero.ReadFile(fsys, ctrlPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no controller (%s is missing): run `okt create api --group %s --version %s --kind %s --controller` first",
			r.Owner.Kind, ctrlPath, r.Owner.Group, r.Owner.Version, r.Owner.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", ctrlPath, err)
	}
	for name, m := range markers(ctrlPath) {
		if !hasLine(string(src), m.String()) {
			return nil, fmt.Errorf("%s has no %q marker: it was not scaffolded by okt; restore the marker (%s) or scaffold it again with `okt create api --force`",
				ctrlPath, m.String(), name)
		}
	}
	path := r.Path()
	if exists, err := afero.Exists(fsys, path); err != nil {
		return nil, fmt.Errorf("cannot check %s: %w", path, err)
	} else if exists && !r.Force {
		return nil, fmt.Errorf("the %s resource %q of %s already exists (%s): choose another --name, or pass --force to generate it again",
			r.Kind.Kind, r.Name, r.Owner.Kind, path)
	}
	deps, err := r.dependencies(fsys)
	if err != nil {
		return nil, err
	}
	f := &ResourceFile{
		Package: controllerPackage(multi, r.Owner),
		Func:    r.FuncName(),
		Type:    r.Kind,
		Name:    r.Name,
		Force:   r.Force,
		ByLabel: r.byLabel(),
	}
	f.Path = path
	var imports []string
	if r.Kind.Unstructured {
		f.ObjectFunc = r.ObjectFunc()
		imports = append(imports, `"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"`)
	} else {
		imports = append(imports, r.Kind.Alias+` "`+r.Kind.ImportPath+`"`)
	}
	if r.Manifest != nil {
		templateName := "{{ .Name }}-" + r.Name
		if r.byLabel() {
			templateName = "{{ .Namespace }}-{{ .Name }}-" + r.Name
		}
		text, err := prepareManifest(r.Manifest, r.Kind, r.Name, templateName, r.Template)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		f.ManifestConst = r.manifestConst()
		f.Manifest = goString(text)
		f.Template = r.Template
		f.Body = manifestBody(r, deps)
		f.Std = []string{`"fmt"`}
	} else {
		if r.Template {
			return nil, fmt.Errorf("--template needs --from: the manifest to render")
		}
		if r.Kind.Unstructured {
			return nil, fmt.Errorf("the %s %s has no Go type: give its manifest with --from", r.Kind.APIVersion(), r.Kind.Kind)
		}
		types, _ := afero.ReadFile(fsys, TypesPath(multi, r.Owner))
		order, option := dependsOnCode(deps)
		d := stubData{
			Kind:          r.Kind.Kind,
			Alias:         r.Kind.Alias,
			Name:          r.Name,
			NameExpr:      nameExpr(r.byLabel(), r.Name),
			ClusterScoped: r.Kind.ClusterScoped,
			ManagedBy:     projectName(r.Config),
			CRKind:        r.Owner.Kind,
			Domain:        r.Config.GetDomain(),
			Image:         `"busybox:stable"`,
			ImageTODO:     true,
			Replicas:      "int32(1)",
			DependsOn:     [2]string{order, option},
		}
		if d.Domain == "" {
			d.Domain = "example.com"
		}
		if SpecField(types, r.Owner.Kind, "Image") == "string" {
			d.Image, d.ImageTODO = "cr.Spec.Image", false
		}
		for _, field := range []string{"Replicas", "Size"} {
			if SpecField(types, r.Owner.Kind, field) == "int32" {
				d.Replicas = "cr.Spec." + field
				break
			}
		}
		body, more, err := renderStub(d)
		if err != nil {
			return nil, err
		}
		f.Body = body
		imports = append(imports, more...)
	}
	f.Imports = dedupe(imports)
	return f, nil
}

func projectName(cfg config.Config) string {
	if n := cfg.GetProjectName(); n != "" {
		return n
	}
	return "okt"
}

func (r Resource) manifestConst() string {
	return strings.ToLower(r.Owner.Kind[:1]) + r.Owner.Kind[1:] + camel(r.Name) + r.Kind.Kind + "Manifest"
}

// manifestBody is the builder of a resource from a manifest: decoded
// literally and named in Go, or rendered as a template that names it.
func manifestBody(r Resource, deps []dependency) string {
	build := fmt.Sprintf("resources.Decode[*%s](%s)", r.objectType(), r.manifestConst())
	name := fmt.Sprintf("\tobj.SetName(%s)\n", nameExpr(r.byLabel(), r.Name))
	if r.Template {
		build = fmt.Sprintf("resources.Render[*%s](%s, cr)", r.objectType(), r.manifestConst())
		name = ""
	}
	namespace := "\tobj.SetNamespace(cr.Namespace)\n"
	if r.Kind.ClusterScoped {
		namespace = ""
	}
	example := ""
	if r.Kind.Unstructured {
		example = "\t\t// For example:\n\t\t// return unstructured.SetNestedField(desired.Object, cr.Spec.Foo, \"spec\", \"foo\")\n"
	}
	order, option := dependsOnCode(deps)
	return fmt.Sprintf(`	obj, err := %[1]s
	if err != nil {
		return nil, fmt.Errorf("cannot build the %[2]s %%q: %%w", %[3]q, err)
	}
%[4]s%[5]s%[8]s	return resources.NewMutable(obj, func(desired *%[6]s) error {
		// USER CODE: set here the fields the operator manages, typically from
		// the %[7]s's spec; okt enforces them at every reconcile.
%[10]s		return nil
	}%[9]s), nil`, build, r.Kind.Kind, r.Name, name, namespace, r.objectType(), r.Owner.Kind, order, option, example)
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func hasLine(content, line string) bool {
	for _, l := range strings.Split(content, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}

// Wiring returns the inserter that wires the builder into the controller.
func (r Resource) Wiring() *Wiring {
	w := &Wiring{
		Builders: []string{r.FuncName() + ","},
		Owns:     []string{r.watch()},
		RBAC:     r.rbac(),
	}
	if !r.Kind.Unstructured {
		w.Imports = []string{r.Kind.Alias + ` "` + r.Kind.ImportPath + `"`}
	}
	w.Path = ControllerPath(r.Config.IsMultiGroup(), r.Owner)
	return w
}

// watch returns the call of the controller builder that watches the
// objects: Owns for objects with an owner reference, Watches with
// okt.EnqueueOwner for objects tied by okt's owner label (Owns sees owner
// references only).
func (r Resource) watch() string {
	if r.byLabel() {
		return fmt.Sprintf("Watches(%s, okt.EnqueueOwner[*%s.%s](mgr.GetScheme())).",
			r.watchObject(), r.Owner.ImportAlias(), r.Owner.Kind)
	}
	return "Owns(" + r.watchObject() + ")."
}

// rbacVerbs are the verbs of the RBAC marker of an owned kind.
const rbacVerbs = "get;list;watch;create;update;patch;delete"

// rbac returns the RBAC markers of the kind, each fragment with the comment
// that explains it. Roles and ClusterRoles get bind and escalate: the
// API server lets the operator create or change a role granting
// permissions it does not hold itself (escalate), or bind one (bind), only
// with them. A binding gets bind on the kind of role it binds.
func (r Resource) rbac() []string {
	marker := fmt.Sprintf("// +kubebuilder:rbac:groups=%s,resources=%s,verbs=%s", r.Kind.RBACGroup(), r.Kind.Plural, rbacVerbs)
	if r.Kind.Group != "rbac.authorization.k8s.io" {
		return []string{marker}
	}
	switch r.Kind.Kind {
	case "Role", "ClusterRole":
		return []string{fmt.Sprintf("// The %[1]ss it creates may grant permissions the operator does not hold itself:\n"+
			"// the API server then requires escalate (to create or change them) and bind (to bind them).\n%[2]s;bind;escalate",
			r.Kind.Kind, marker)}
	case "RoleBinding", "ClusterRoleBinding":
		role := strings.TrimSuffix(r.Kind.Kind, "Binding")
		return []string{marker, fmt.Sprintf("// The %[1]ss it creates may bind %[2]ss granting permissions the operator does not hold itself:\n"+
			"// the API server then requires bind on those %[2]ss.\n"+
			"// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=%[3]s,verbs=bind", r.Kind.Kind, role, strings.ToLower(role)+"s")}
	}
	return []string{marker}
}

// Scaffold validates r, then writes the builder file and wires it into the
// controller, all or nothing. It returns the files it changed. Wiring is
// idempotent: code already in the controller is not inserted again.
func (r Resource) Scaffold(fsys afero.Fs) ([]string, error) {
	f, err := r.plan(fsys)
	if err != nil {
		return nil, err
	}
	st := newStage(fsys)
	owner := r.Owner
	s := machinery.NewScaffold(st.fs(),
		machinery.WithConfig(r.Config),
		machinery.WithBoilerplate(readBoilerplate(fsys)),
		machinery.WithResource(&owner),
	)
	w := r.Wiring()
	if err := s.Execute(f, w); err != nil {
		return nil, fmt.Errorf("cannot scaffold the %s %q: %w", r.Kind.Kind, r.Name, err)
	}
	return st.commit(f.Path, w.Path)
}

// ResourceFile is the file that declares the builder of one resource.
type ResourceFile struct {
	machinery.TemplateMixin
	machinery.BoilerplateMixin
	machinery.ResourceMixin

	Package       string
	Func          string
	Type          Kind
	Name          string
	Std           []string
	Imports       []string
	Body          string
	ManifestConst string
	Manifest      string
	Template      bool
	Force         bool
	// ByLabel: the object is tied to its custom resource by okt's owner
	// label (it is cluster-scoped).
	ByLabel bool
	// ObjectFunc, for an unstructured kind, is the function that returns an
	// empty object of the kind.
	ObjectFunc string
}

var _ machinery.Template = &ResourceFile{}

// SetTemplateDefaults implements machinery.Template.
func (f *ResourceFile) SetTemplateDefaults() error {
	f.TemplateBody = resourceTemplate
	f.IfExistsAction = machinery.Error
	if f.Force {
		f.IfExistsAction = machinery.OverwriteFile
	}
	return nil
}

const resourceTemplate = `{{ .Boilerplate }}

package {{ .Package }}

import (
{{- range .Std }}
	{{ . }}
{{- end }}
{{ range .Imports }}
	{{ . }}
{{- end }}

	"github.com/okt-dev/okt/okt/resources"

	{{ .Resource.ImportAlias }} "{{ .Resource.Path }}"
)
{{ if .ManifestConst }}
{{- if .Template }}
// {{ .ManifestConst }} is the {{ .Type.Kind }} "{{ .Name }}" as a text/template,
// rendered with the {{ .Resource.Kind }} as data ({{ "{{" }} .Name {{ "}}" }}, {{ "{{" }} .Spec.Foo {{ "}}" }}...);
// a missing field is an error.
{{- else }}
// {{ .ManifestConst }} is the {{ .Type.Kind }} "{{ .Name }}", taken literally:
// braces in it are data, not actions. {{ .Func }} names it{{ if not .Type.ClusterScoped }} and sets its
// namespace{{ end }} for each {{ .Resource.Kind }}.
{{- end }}
const {{ .ManifestConst }} = {{ .Manifest }}
{{ end }}
{{- if .ObjectFunc }}
// {{ .ObjectFunc }} returns an empty {{ .Type.Kind }} ({{ .Type.APIVersion }}), a kind
// without a Go type here: the controller watches the kind with it, so its CRD
// must be installed wherever the manager runs (envtest included: add it to
// CRDDirectoryPaths in suite_test.go).
func {{ .ObjectFunc }}() *unstructured.Unstructured {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("{{ .Type.APIVersion }}")
	obj.SetKind("{{ .Type.Kind }}")
	return obj
}
{{ end -}}
{{- if .ByLabel }}
// {{ .Func }} builds the {{ .Type.Kind }} "{{ .Name }}" of a {{ .Resource.Kind }}. It is
// cluster-scoped: its name holds the {{ .Resource.Kind }}'s namespace, to be unique in
// the cluster, and okt ties it to the {{ .Resource.Kind }} by its owner label (an owner
// reference cannot name a namespaced owner) and deletes it itself when the
// {{ .Resource.Kind }} is deleted. Return nil, nil when the {{ .Resource.Kind }} does not want
// it (a feature its spec turns off): okt then deletes the one it created.
{{- else }}
// {{ .Func }} builds the {{ .Type.Kind }} "{{ .Name }}" of a {{ .Resource.Kind }}. okt sets
// its owner reference. Return nil, nil when the {{ .Resource.Kind }} does not want it
// (a feature its spec turns off): okt then deletes the one it created.
{{- end }}
// Generated by okt create resource: edit freely.
func {{ .Func }}(cr *{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}) (resources.Resource, error) {
{{ .Body }}
}
`

// Wiring inserts a resource's builder, Owns call, RBAC marker and import into
// an okt controller, at its "// +okt:scaffold:<name>" markers. Fragments
// already present are skipped.
type Wiring struct {
	machinery.InserterMixin

	Imports  []string
	Builders []string
	Owns     []string
	RBAC     []string
}

var _ machinery.Inserter = &Wiring{}

// GetMarkers implements machinery.Inserter.
func (w *Wiring) GetMarkers() []machinery.Marker {
	m := markers(w.Path)
	return []machinery.Marker{m[MarkerImports], m[MarkerResources], m[MarkerOwns], m[MarkerRBAC]}
}

// GetCodeFragments implements machinery.Inserter.
func (w *Wiring) GetCodeFragments() machinery.CodeFragmentsMap {
	m := markers(w.Path)
	frag := func(indent string, lines []string) machinery.CodeFragments {
		var out machinery.CodeFragments
		for _, l := range lines {
			out = append(out, indent+l+"\n")
		}
		return out
	}
	return machinery.CodeFragmentsMap{
		m[MarkerImports]:   frag("\t", w.Imports),
		m[MarkerResources]: frag("\t\t", w.Builders),
		m[MarkerOwns]:      frag("\t\t", w.Owns),
		m[MarkerRBAC]:      frag("", w.RBAC),
	}
}
