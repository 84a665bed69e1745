package scaffolds

import (
	"fmt"
	"path"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
)

// KindRequest is what `create resource` is told of the kind of the new
// resource.
type KindRequest struct {
	// Type is --type; it may be empty when Manifest is set: the kind is
	// then the manifest's.
	Type string
	// Manifest is the manifest of --from, nil without it.
	Manifest []byte
	// Template is --template: the manifest is a text/template.
	Template bool
	// Plural is --plural: the resource name of the kind, for RBAC.
	Plural string
	// ClusterScoped is --cluster-scoped, nil when not given.
	ClusterScoped *bool
}

// Resolve returns the kind of the new resource.
//
// A kind of the dictionary (ks, with the kinds file) has a Go type, and
// its manifest is checked against it. A manifest's kind that is not in the
// dictionary becomes an unstructured kind (Kind.Unstructured: the builder
// works on *unstructured.Unstructured) only when it is clearly another
// API's, a custom resource's:
//
//   - no dictionary kind has its name in another case (a typo such as
//     "deployment" gets "did you mean"), and
//   - its apiVersion has a group, with a dot (a custom resource's group is
//     a domain: "monitoring.coreos.com"), that is neither a group of a
//     dictionary kind ("apps", "networking.k8s.io"...) nor a group of the
//     Kubernetes API that client-go knows ("coordination.k8s.io"): a kind
//     of those is a typo, or a Kubernetes kind to add with a kinds file.
//
// An unstructured kind's plural is Plural, else guessed when that is safe
// (see GuessPlural); it is cluster-scoped when ClusterScoped says so. For a
// dictionary kind, a Plural or ClusterScoped that contradicts the
// dictionary is an error.
func (ks Kinds) Resolve(req KindRequest) (Kind, error) {
	var k Kind
	switch {
	case req.Type != "":
		if found, ok := ks[req.Type]; ok {
			k = found
			break
		}
		if n := ks.otherCase(req.Type); n != "" {
			return Kind{}, fmt.Errorf("unknown --type %q: did you mean %q?", req.Type, n)
		}
		if req.Manifest == nil {
			return Kind{}, fmt.Errorf("unknown --type %q: known types are %s (add others with --kinds-file, "+
				"or give a manifest of a custom resource with --from: okt builds it as unstructured)",
				req.Type, strings.Join(ks.Names(), ", "))
		}
		apiVersion, kind, err := ManifestKind(req.Manifest, req.Template)
		if err != nil {
			return Kind{}, fmt.Errorf("--from: %w", err)
		}
		if kind != req.Type {
			return Kind{}, fmt.Errorf("--type %s and the manifest's kind %q disagree: fix one of them, or drop --type (the manifest's kind is taken)",
				req.Type, kind)
		}
		if k, err = ks.foreign(apiVersion, kind); err != nil {
			return Kind{}, err
		}
	case req.Manifest == nil:
		return Kind{}, fmt.Errorf("--type is required without --from: one of %v", ks.Names())
	default:
		apiVersion, kind, err := ManifestKind(req.Manifest, req.Template)
		if err != nil {
			return Kind{}, fmt.Errorf("--from: %w", err)
		}
		if kind == "" {
			return Kind{}, fmt.Errorf("--from: the manifest has no kind: add it (kind: ConfigMap...), or give --type")
		}
		if found, ok := ks[kind]; ok {
			k = found
			break
		}
		if n := ks.otherCase(kind); n != "" {
			return Kind{}, fmt.Errorf("--from: the manifest's kind is %q: did you mean %q?", kind, n)
		}
		if k, err = ks.foreign(apiVersion, kind); err != nil {
			return Kind{}, err
		}
	}

	if !k.Unstructured {
		if req.Plural != "" && req.Plural != k.Plural {
			return Kind{}, fmt.Errorf("--plural %s: the plural of %s is %s: drop --plural (the dictionary knows it)", req.Plural, k.Kind, k.Plural)
		}
		if req.ClusterScoped != nil && *req.ClusterScoped != k.ClusterScoped {
			return Kind{}, fmt.Errorf("--cluster-scoped=%t: a %s is %s: drop --cluster-scoped (the dictionary knows it)",
				*req.ClusterScoped, k.Kind, scopeWord(k.ClusterScoped))
		}
		return k, nil
	}
	if req.ClusterScoped != nil {
		k.ClusterScoped = *req.ClusterScoped
	}
	k.Plural = req.Plural
	if k.Plural == "" {
		guess, err := GuessPlural(k.Kind)
		if err != nil {
			return Kind{}, err
		}
		k.Plural = guess
	}
	if err := k.Validate(); err != nil {
		if !kindRE.MatchString(k.Kind) {
			return Kind{}, fmt.Errorf("--from: the manifest's kind %q is not a kind: a kind is UpperCamelCase", k.Kind)
		}
		return Kind{}, fmt.Errorf("--plural: %w", err)
	}
	return k, nil
}

func scopeWord(cluster bool) string {
	if cluster {
		return "cluster-scoped"
	}
	return "namespaced"
}

// otherCase returns the dictionary kind whose name is name in another case,
// or "".
func (ks Kinds) otherCase(name string) string {
	for _, n := range ks.Names() {
		if n != name && strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// groups returns the API groups of the dictionary's kinds.
func (ks Kinds) groups() map[string]bool {
	g := map[string]bool{}
	for _, k := range ks {
		g[k.Group] = true
	}
	return g
}

// foreign returns the unstructured kind of a manifest's apiVersion and
// kind, which are not in the dictionary, when they are clearly another
// API's (see Resolve); otherwise an error that says what to fix.
func (ks Kinds) foreign(apiVersion, kind string) (Kind, error) {
	if apiVersion == "" {
		return Kind{}, fmt.Errorf("--from: the manifest has no apiVersion: add it (apiVersion: group/version)")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || gv.Version == "" {
		return Kind{}, fmt.Errorf("--from: the manifest's apiVersion %q is not group/version (monitoring.coreos.com/v1) nor a version (v1)", apiVersion)
	}
	if gv.Group == "" || ks.groups()[gv.Group] || clientgoscheme.Scheme.IsGroupRegistered(gv.Group) {
		msg := fmt.Sprintf("the manifest's kind %s (%s) is a kind of the Kubernetes API that okt does not know: "+
			"fix the kind if it is a typo (known types are %s), or add it with --kinds-file",
			kind, apiVersion, strings.Join(ks.Names(), ", "))
		if entry := kindsFileEntry(gv.WithKind(kind)); entry != "" {
			msg += ", such as:\n" + entry
		}
		return Kind{}, fmt.Errorf("--from: %s", msg)
	}
	if !strings.Contains(gv.Group, ".") {
		return Kind{}, fmt.Errorf("--from: the group %q of the manifest's apiVersion %q is not a domain: "+
			"a custom resource's group has a dot (monitoring.coreos.com); fix the apiVersion", gv.Group, apiVersion)
	}
	return Kind{Kind: kind, Group: gv.Group, Version: gv.Version, Unstructured: true}, nil
}

// kindsFileEntry returns a kinds file naming gvk, when client-go has its Go
// type; "" otherwise.
func kindsFileEntry(gvk schema.GroupVersionKind) string {
	obj, err := clientgoscheme.Scheme.New(gvk)
	if err != nil {
		return ""
	}
	pkg := reflect.TypeOf(obj).Elem().PkgPath()
	alias := strings.NewReplacer(".", "", "-", "").Replace(path.Base(path.Dir(pkg)) + path.Base(pkg))
	plural, err := GuessPlural(gvk.Kind)
	if err != nil {
		plural = "<plural>"
	}
	return fmt.Sprintf("  kinds:\n  - kind: %s\n    group: %s\n    version: %s\n    importPath: %s\n    alias: %s\n    plural: %s\n"+
		"    # clusterScoped: true   # if its objects have no namespace",
		gvk.Kind, gvk.Group, gvk.Version, pkg, alias, plural)
}

// GuessPlural returns the plural of kind when it can be guessed safely: the
// lowercase kind plus "s", when the kind does not end in s, x, z, ch, sh or
// y (whose plurals vary: "ingresses", "policies") and flect's pluralisation
// agrees. Otherwise the error names the guess and asks for --plural.
func GuessPlural(kind string) (string, error) {
	lower := strings.ToLower(kind)
	guess := lower + "s"
	for _, end := range []string{"s", "x", "z", "ch", "sh", "y"} {
		if strings.HasSuffix(lower, end) {
			return "", fmt.Errorf("cannot guess the plural of %s safely (it ends in %q; the guess %q may be wrong): "+
				"pass --plural, the resource name in its CRD (spec.names.plural; `kubectl api-resources` lists it)", kind, end, guess)
		}
	}
	if flect := resource.RegularPlural(kind); flect != guess {
		return "", fmt.Errorf("cannot guess the plural of %s safely (%q, or %q?): "+
			"pass --plural, the resource name in its CRD (spec.names.plural; `kubectl api-resources` lists it)", kind, guess, flect)
	}
	return guess, nil
}
