package resources

import (
	"fmt"
	"strings"
)

// DependsOn orders the resource after others: okt creates and updates it
// only once each of them is ready (see ReadinessOf: a StatefulSet rolled
// out, a Job complete), and, when the custom resource is deleted, deletes it
// before them. A reference names a registered resource as
// "Kind/name" (kubectl's form; the kind in any case), "Kind.group/name" or
// "Kind/namespace/name" when the name alone is ambiguous, for example
//
//	resources.DependsOn("StatefulSet/" + cr.Name + "-db")
//
// A reference to nothing registered, or a cycle, is an error of the
// registration, named in the custom resource's Ready condition.
func DependsOn(refs ...string) Option {
	return func(o *options) { o.dependsOn = append(o.dependsOn, refs...) }
}

// Dependent is a resource that depends on others. Resources built by New and
// NewMutable implement it.
type Dependent interface {
	// DependsOn returns the references of DependsOn.
	DependsOn() []string
}

// DependsOn returns the references the resource was built with (DependsOn).
func (o *Object[O]) DependsOn() []string { return o.opts.dependsOn }

// ref is a parsed reference of DependsOn.
type ref struct {
	text, kind, group, namespace, name string
	namespaced                         bool
}

func parseRef(text string) (ref, error) {
	parts := strings.Split(text, "/")
	r := ref{text: text}
	switch len(parts) {
	case 2:
		r.name = parts[1]
	case 3:
		r.namespace, r.name, r.namespaced = parts[1], parts[2], true
	default:
		return r, fmt.Errorf("cannot read the dependency %q: write Kind/name, Kind.group/name or Kind/namespace/name", text)
	}
	r.kind, r.group, _ = strings.Cut(parts[0], ".")
	if r.kind == "" || r.name == "" {
		return r, fmt.Errorf("cannot read the dependency %q: write Kind/name, Kind.group/name or Kind/namespace/name", text)
	}
	return r, nil
}

func (r ref) matches(k Key) bool {
	return strings.EqualFold(r.kind, k.Kind) && r.name == k.Name &&
		(r.group == "" || r.group == k.Group) && (!r.namespaced || r.namespace == k.Namespace)
}

// DependencyError reports a DependsOn reference that names no registered
// resource, or more than one.
type DependencyError struct {
	// Resource is the resource whose dependency is wrong.
	Resource Key
	// Ref is the reference, as written.
	Ref string
	// Matches are the registered resources it names (none, or several).
	Matches []Key
	// Registered lists what is registered, to help fix a typo.
	Registered []Key
}

func (e *DependencyError) Error() string {
	if len(e.Matches) > 1 {
		return fmt.Sprintf("%s depends on %q, which names %d registered resources (%s): add the group or the namespace, as Kind.group/namespace/name",
			e.Resource, e.Ref, len(e.Matches), keyList(e.Matches))
	}
	return fmt.Sprintf("%s depends on %q, which is not registered (registered: %s): fix the reference or register that resource",
		e.Resource, e.Ref, keyList(e.Registered))
}

// CycleError reports resources that depend on each other in a loop.
type CycleError struct {
	// Cycle lists the resources of the loop, the first one again at the end.
	Cycle []Key
}

func (e *CycleError) Error() string {
	names := make([]string, len(e.Cycle))
	for i, k := range e.Cycle {
		names[i] = k.String()
	}
	return "the owned resources depend on each other in a cycle: " + strings.Join(names, " -> ") +
		": remove one of these DependsOn"
}

func keyList(keys []Key) string {
	if len(keys) == 0 {
		return "none"
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	return strings.Join(names, ", ")
}

// order is the computed order of a registry.
type order struct {
	sorted []Resource   // dependencies first, registration order otherwise
	deps   [][]Resource // by index in the registry's items
	wave   map[Key]int
	err    error
}

// Order returns the registered resources in the order okt applies them:
// each after those it depends on (DependsOn), in registration order
// otherwise. A reference that names nothing registered (or several) gives a
// *DependencyError, a loop a *CycleError.
func (r *Registry) Order() ([]Resource, error) {
	if !r.Ordered() {
		return r.items, nil // registration order; the caller must not change it
	}
	o := r.ordered()
	return o.sorted, o.err
}

// Ordered reports whether a registered resource depends on another.
func (r *Registry) Ordered() bool {
	for _, res := range r.items {
		if d, ok := res.(Dependent); ok && len(d.DependsOn()) > 0 {
			return true
		}
	}
	return false
}

// Wave returns the depth of the resource of k in the order: 0 when it
// depends on nothing, else one more than the deepest of its dependencies.
// When the custom resource is deleted, okt deletes the deepest first.
func (r *Registry) Wave(k Key) int {
	if !r.Ordered() {
		return 0
	}
	return r.ordered().wave[k]
}

// Dependencies returns the resources res depends on, in the order of its
// references; nil when the order cannot be computed.
func (r *Registry) Dependencies(res Resource) []Resource {
	if !r.Ordered() {
		return nil
	}
	o := r.ordered()
	if o.err != nil {
		return nil
	}
	for i, x := range r.items {
		if x == res {
			return o.deps[i]
		}
	}
	return nil
}

func (r *Registry) ordered() *order {
	if r.order != nil {
		return r.order
	}
	o := &order{wave: map[Key]int{}}
	r.order = o
	o.deps = make([][]Resource, len(r.items))
	index := map[Resource]int{}
	for i, res := range r.items {
		index[res] = i
	}
	var keys []Key
	for _, res := range r.items {
		keys = append(keys, res.Key())
	}
	for i, res := range r.items {
		d, ok := res.(Dependent)
		if !ok {
			continue
		}
		for _, text := range d.DependsOn() {
			rf, err := parseRef(text)
			if err != nil {
				o.err = fmt.Errorf("%s: %w", res.Key(), err)
				return o
			}
			var found []Resource
			var names []Key
			for _, x := range r.items {
				if rf.matches(x.Key()) {
					found = append(found, x)
					names = append(names, x.Key())
				}
			}
			if len(found) != 1 {
				o.err = &DependencyError{Resource: res.Key(), Ref: text, Matches: names, Registered: keys}
				return o
			}
			o.deps[i] = append(o.deps[i], found[0])
		}
	}
	// Depth-first, in registration order: a resource is placed once its
	// dependencies are.
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]int, len(r.items))
	var stack []int
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case done:
			return nil
		case visiting:
			var cycle []Key
			for j := len(stack) - 1; j >= 0; j-- {
				cycle = append([]Key{r.items[stack[j]].Key()}, cycle...)
				if stack[j] == i {
					break
				}
			}
			return &CycleError{Cycle: append(cycle, r.items[i].Key())}
		}
		state[i] = visiting
		stack = append(stack, i)
		wave := 0
		for _, d := range o.deps[i] {
			j := index[d]
			if err := visit(j); err != nil {
				return err
			}
			wave = max(wave, o.wave[d.Key()]+1)
		}
		stack = stack[:len(stack)-1]
		state[i] = done
		o.wave[r.items[i].Key()] = wave
		o.sorted = append(o.sorted, r.items[i])
		return nil
	}
	for i := range r.items {
		if err := visit(i); err != nil {
			o.err = err
			o.sorted = nil
			return o
		}
	}
	return o
}

// Mermaid draws the order of the registered resources as a Mermaid
// flowchart: an arrow from each resource to those that wait for it.
func (r *Registry) Mermaid() (string, error) {
	o := r.ordered()
	if o.err != nil {
		return "", o.err
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	id := map[Resource]string{}
	for i, res := range r.items {
		id[res] = fmt.Sprintf("r%d", i)
		fmt.Fprintf(&b, "    %s[\"%s %s\"]\n", id[res], res.Key().Kind, res.Key().Name)
	}
	for i, res := range r.items {
		for _, d := range o.deps[i] {
			fmt.Fprintf(&b, "    %s --> %s\n", id[d], id[res])
		}
	}
	return b.String(), nil
}
