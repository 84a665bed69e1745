package scaffolds

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/afero"
	"k8s.io/apimachinery/pkg/util/validation"
)

// typeRE matches the type of a --depends-on Type/name, in any case
// (kubectl's job/migrate).
var typeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*$`)

// dependency is a resource of the same custom resource kind that a new
// resource depends on (--depends-on).
type dependency struct {
	Kind, Name string
	// ByLabel: its object is cluster-scoped and named with the custom
	// resource's namespace.
	ByLabel bool
}

// ref returns the Go expression of the dependency's reference for
// resources.DependsOn: "Kind/" and the expression of its object's name.
func (d dependency) ref() string {
	return fmt.Sprintf("%q + %s", d.Kind+"/", nameExpr(d.ByLabel, d.Name))
}

func (d dependency) String() string { return d.Kind + "/" + d.Name }

// dependsOnCode returns the statements that declare the order of a
// resource, and the option to pass to resources.NewMutable; "" for none.
func dependsOnCode(deps []dependency) (order, option string) {
	if len(deps) == 0 {
		return "", ""
	}
	refs := make([]string, len(deps))
	names := make([]string, len(deps))
	for i, d := range deps {
		refs[i] = d.ref()
		names[i] = fmt.Sprintf("the %s %q", d.Kind, d.Name)
	}
	them := "it"
	if len(deps) > 1 {
		them = "them"
	}
	order = fmt.Sprintf("\t// Written once %s %s ready, and deleted before %s.\n\tdependsOn := resources.DependsOn(%s)\n",
		strings.Join(names, " and "), map[bool]string{true: "are", false: "is"}[len(deps) > 1], them, strings.Join(refs, ", "))
	return order, ", dependsOn"
}

// scaffolded is a resource builder file of a custom resource kind.
type scaffolded struct {
	Kind, Name, Path string
}

func (s scaffolded) String() string { return s.Kind + "/" + s.Name }

// scaffoldedResources returns the builder files of the custom resource
// kind of r in its controller folder: files <kind>_<name>_<type>.go that
// declare the builder new<Kind><Name><Type>, but r's own.
func (r Resource) scaffoldedResources(fsys afero.Fs) ([]scaffolded, error) {
	dir := controllerDir(r.Config.IsMultiGroup(), r.Owner)
	entries, err := afero.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("cannot list %s: %w", dir, err)
	}
	prefix := strings.ToLower(r.Owner.Kind) + "_"
	var out []scaffolded
	for _, e := range entries {
		file := e.Name()
		if e.IsDir() || !strings.HasPrefix(file, prefix) || !strings.HasSuffix(file, ".go") || strings.HasSuffix(file, "_test.go") {
			continue
		}
		middle := strings.TrimSuffix(strings.TrimPrefix(file, prefix), ".go")
		i := strings.LastIndex(middle, "_")
		if i <= 0 {
			continue
		}
		name, typ := strings.ReplaceAll(middle[:i], "_", "-"), middle[i+1:]
		if len(validation.IsDNS1123Label(name)) > 0 {
			continue
		}
		p := filepath.Join(dir, file)
		if p == r.Path() {
			continue
		}
		src, err := afero.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		re := regexp.MustCompile(`(?m)^func new` + regexp.QuoteMeta(r.Owner.Kind+camel(name)) + `([A-Z][A-Za-z0-9]*)\(`)
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if strings.ToLower(m[1]) == typ {
				out = append(out, scaffolded{Kind: m[1], Name: name, Path: p})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

// dependencies resolves r.DependsOn against the resources of the same
// custom resource kind already scaffolded.
func (r Resource) dependencies(fsys afero.Fs) ([]dependency, error) {
	if len(r.DependsOn) == 0 {
		return nil, nil
	}
	existing, err := r.scaffoldedResources(fsys)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(existing))
	for i, s := range existing {
		names[i] = s.String()
	}
	list := "it has none yet"
	if len(names) > 0 {
		list = "its resources: " + strings.Join(names, ", ")
	}
	kinds := r.Kinds
	if kinds == nil {
		kinds = DefaultKinds()
	}
	ctrl, _ := afero.ReadFile(fsys, ControllerPath(r.Config.IsMultiGroup(), r.Owner))
	var deps []dependency
	seen := map[string]bool{}
	for _, text := range r.DependsOn {
		typ, name, typed := strings.Cut(text, "/")
		if !typed {
			typ, name = "", text
		}
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 || (typed && !typeRE.MatchString(typ)) {
			return nil, fmt.Errorf("invalid --depends-on %q: give the --name of another resource of %s (db), or Type/name (StatefulSet/db)", text, r.Owner.Kind)
		}
		if name == r.Name && (!typed || strings.EqualFold(typ, r.Kind.Kind)) {
			self := true
			if !typed {
				for _, s := range existing {
					if s.Name == name {
						self = false // ambiguous: reported below
					}
				}
			}
			if self {
				return nil, fmt.Errorf("--depends-on %q: the %s %q cannot depend on itself: name another resource of %s (%s)",
					text, r.Kind.Kind, r.Name, r.Owner.Kind, list)
			}
		}
		var found []scaffolded
		for _, s := range existing {
			if s.Name == name && (!typed || strings.EqualFold(s.Kind, typ)) {
				found = append(found, s)
			}
		}
		if !typed && name == r.Name && len(found) > 0 {
			found = append(found, scaffolded{Kind: r.Kind.Kind, Name: r.Name})
		}
		switch {
		case len(found) == 0:
			return nil, fmt.Errorf("--depends-on %q: %s has no resource named %q (%s): scaffold it first with `okt create resource`, or fix the name",
				text, r.Owner.Kind, name, list)
		case len(found) > 1:
			forms := make([]string, len(found))
			for i, s := range found {
				forms[i] = s.String()
			}
			return nil, fmt.Errorf("--depends-on %q names %d resources of %s (%s): write Type/name, such as --depends-on %s",
				text, len(found), r.Owner.Kind, strings.Join(forms, ", "), forms[0])
		}
		d := found[0]
		if seen[d.String()] {
			continue
		}
		seen[d.String()] = true
		deps = append(deps, dependency{Kind: d.Kind, Name: d.Name, ByLabel: r.ownerNamespaced() && r.clusterScoped(kinds, d, string(ctrl))})
	}
	return deps, nil
}

// clusterScoped reports whether the objects of a scaffolded resource are
// cluster-scoped: as the dictionary says for its kinds, else (a kind from a
// manifest, without a Go type) when the controller watches its objects
// through okt's owner label.
func (r Resource) clusterScoped(kinds Kinds, s scaffolded, controller string) bool {
	if k, ok := kinds[s.Kind]; ok {
		return k.ClusterScoped
	}
	object := "new" + r.Owner.Kind + camel(s.Name) + s.Kind + "Object()"
	return strings.Contains(controller, "Watches("+object+", okt.EnqueueOwner[")
}
