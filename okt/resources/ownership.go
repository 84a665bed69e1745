package resources

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v6/value"
)

// ownership is what the live object's managedFields say about who owns what:
// the field set of okt's Apply entry, and, parsed on first need, every
// entry's, to find the keys of list items and the manager of a field.
//
// Comparing the desired object with the live one, okt matches the items of a
// list by their keys (containers and env vars by name, ports by port and
// protocol...), as server-side apply merges them: the keys are read from the
// field sets the API server recorded (a "k:{...}" element is a keyed item),
// so they hold for any kind, custom resources included, with no schema at
// hand. Items another writer added are then never mistaken for drift.
type ownership struct {
	entries []metav1.ManagedFieldsEntry
	manager string
	oursIdx int // okt's Apply entry, -1 when it has none
	parsed  []*fieldpath.Set
	// known reports that the live object carries managedFields at all (a
	// cache may strip them): without them, list keys are guessed.
	known bool
}

func newOwnership(live []metav1.ManagedFieldsEntry, manager string) *ownership {
	o := &ownership{entries: live, manager: manager, known: len(live) > 0, oursIdx: -1}
	for i, e := range live {
		if e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			o.oursIdx = i
			break
		}
	}
	return o
}

// oursAt returns okt's field set at path p, nil if it has none there. The
// entry is parsed on first need: a compare that meets no list parses none.
func (o *ownership) oursAt(p fieldpath.Path) *fieldpath.Set {
	if o == nil || o.oursIdx < 0 {
		return nil
	}
	return o.at(o.oursIdx, p)
}

// ownedWhole reports whether okt owns the field at p as a whole (an atomic
// list: a member of its parent's set, with no set of its own).
func (o *ownership) ownedWhole(p fieldpath.Path) bool {
	if len(p) == 0 {
		return false
	}
	parent := o.oursAt(p[:len(p)-1])
	return parent != nil && parent.Members.Has(p[len(p)-1]) && descend(parent, p[len(p)-1]) == nil
}

// set returns the parsed field set of entry i (an empty set if it cannot be
// parsed).
func (o *ownership) set(i int) *fieldpath.Set {
	if o.parsed == nil {
		o.parsed = make([]*fieldpath.Set, len(o.entries))
	}
	if o.parsed[i] == nil {
		s := &fieldpath.Set{}
		if f := o.entries[i].FieldsV1; f != nil {
			if err := s.FromJSON(bytes.NewReader(f.Raw)); err != nil {
				s = &fieldpath.Set{}
			}
		}
		o.parsed[i] = s
	}
	return o.parsed[i]
}

// hasApplyEntry reports whether okt's field manager has applied this object.
func hasApplyEntry(live []metav1.ManagedFieldsEntry, manager string) bool {
	for _, e := range live {
		if e.Manager == manager && e.Operation == metav1.ManagedFieldsOperationApply && e.Subresource == "" {
			return true
		}
	}
	return false
}

// descend returns the child set of s at pe, nil if none (or s nil).
func descend(s *fieldpath.Set, pe fieldpath.PathElement) *fieldpath.Set {
	if s == nil {
		return nil
	}
	c, ok := s.Children.Get(pe)
	if !ok {
		return nil
	}
	return c
}

// at returns the field set of entry i at path p, nil if it has none there.
func (o *ownership) at(i int, p fieldpath.Path) *fieldpath.Set {
	s := o.set(i)
	for _, pe := range p {
		if s = descend(s, pe); s == nil {
			return nil
		}
	}
	return s
}

// keysIn returns the keys of the keyed list items in s.
func keysIn(s *fieldpath.Set) []fieldpath.PathElement {
	if s == nil {
		return nil
	}
	var out []fieldpath.PathElement
	seen := map[string]bool{}
	add := func(pe fieldpath.PathElement) {
		if pe.Key != nil && !seen[pe.String()] {
			seen[pe.String()] = true
			out = append(out, pe)
		}
	}
	s.Members.Iterate(add)
	s.Children.Iterate(add)
	return out
}

// hasValues reports whether s holds set items ("v:" elements).
func hasValues(s *fieldpath.Set) bool {
	found := false
	f := func(pe fieldpath.PathElement) {
		if pe.Value != nil {
			found = true
		}
	}
	if s != nil {
		s.Members.Iterate(f)
		s.Children.Iterate(f)
	}
	return found
}

// keyNames returns the names of the key fields of the list at p, from any
// entry that has keyed items there; nil if none has.
func (o *ownership) keyNames(ours *fieldpath.Set, p fieldpath.Path) []string {
	if ks := keysIn(ours); len(ks) > 0 {
		return namesOf(ks[0])
	}
	for i := range o.entries {
		if ks := keysIn(o.at(i, p)); len(ks) > 0 {
			return namesOf(ks[0])
		}
	}
	return nil
}

func namesOf(pe fieldpath.PathElement) []string {
	var out []string
	for _, f := range *pe.Key {
		out = append(out, f.Name)
	}
	return out
}

// guessedKeys are the keys of Kubernetes' keyed lists, tried in order when
// the live object has no managedFields to tell.
var guessedKeys = [][]string{{"name"}, {"containerPort"}, {"port"}, {"mountPath"}, {"devicePath"}, {"uid"}, {"ip"}, {"type"}}

// guessKeys returns the first of guessedKeys that every item of want has.
func guessKeys(want []any) []string {
	for _, keys := range guessedKeys {
		all := len(want) > 0
		for _, w := range want {
			m, ok := w.(map[string]any)
			if !ok {
				return nil
			}
			if _, has := m[keys[0]]; !has {
				all = false
				break
			}
		}
		if all {
			return keys
		}
	}
	return nil
}

// Drift is a field of the live object that differs from what the operator
// declares.
type Drift struct {
	// Path names the field: ".spec.template.spec.containers[name=app].image".
	Path string
	// Detail says how it differs: "want nginx:1.27, live has nginx:1.26" (or
	// names the field only, for sensitive objects).
	Detail string
	// Manager names the field manager that owns the field on the live object
	// now (or, when nobody owns it, the last one that wrote the object), with
	// its operation: `"kubectl-edit" (Update)`. Empty when unknown.
	Manager string

	fp fieldpath.Path
}

func (d *Drift) String() string { return d.Path + ": " + d.Detail }

// differ compares the desired object's apply body with the live object.
type differ struct {
	own  *ownership
	mask bool // sensitive: values are not shown
}

// hashPath is where the hash annotation sits; the drift checks leave it
// out (change detection compares it first, by itself).
const hashPath = ".metadata.annotations." + HashAnnotation

func (c differ) show(v any) string {
	if c.mask && v != nil {
		return Masked
	}
	return short(v)
}

// drift returns the first field of want that the live object got lacks or
// holds another value for, or nil. Maps are compared key by key (keys of got
// that want lacks are someone else's); keyed lists item by item, matched by
// key (items of got that want lacks are someone else's); other lists (atomic,
// owned as a whole) must be equal.
func (c differ) drift(want, got any, fp fieldpath.Path, path string) *Drift {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return &Drift{Path: orRoot(path), Detail: "want an object, live has " + c.show(got), fp: fp}
		}
		for _, k := range sortedKeys(w) {
			pe := fieldpath.PathElement{FieldName: &k}
			p, sub := appendPath(fp, pe), path+"."+k
			if sub == hashPath {
				continue
			}
			gv, ok := g[k]
			if !ok {
				if isEmpty(w[k]) {
					// An empty object or list the API server does not
					// keep (labels: {} in an unstructured object): applying
					// it again would change nothing.
					continue
				}
				return &Drift{Path: sub, Detail: "missing on the live object", fp: p}
			}
			if d := c.drift(w[k], gv, p, sub); d != nil {
				return d
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return &Drift{Path: orRoot(path), Detail: "want a list, live has " + c.show(got), fp: fp}
		}
		return c.listDrift(w, g, fp, path)
	}
	if !scalarEqual(want, got) {
		if c.mask {
			return &Drift{Path: orRoot(path), Detail: "the live value differs (" + Masked + ")", fp: fp}
		}
		return &Drift{Path: orRoot(path), Detail: fmt.Sprintf("want %s, live has %s", short(want), short(got)), fp: fp}
	}
	return nil
}

func (c differ) listDrift(w, g []any, fp fieldpath.Path, path string) *Drift {
	var names []string
	var ours *fieldpath.Set
	// An atomic list, and any list inside one, is compared in order.
	if c.own != nil && !c.own.ownedWhole(fp) && !inAtomic(fp) {
		ours = c.own.oursAt(fp)
		names = c.own.keyNames(ours, fp)
		if names == nil && !hasValues(ours) {
			// No entry tells (a cache that strips managedFields, an entry
			// that does not reach this far): the usual keys.
			names = guessKeys(w)
		}
	}
	if names != nil {
		ourKeys := keysIn(ours)
		for _, item := range w {
			wm, ok := item.(map[string]any)
			if !ok {
				return &Drift{Path: orRoot(path), Detail: "want a keyed list of objects", fp: fp}
			}
			pe, live, sel := matchItem(wm, g, names, ourKeys)
			p, sub := appendPath(fp, pe), path+sel
			if live == nil {
				return &Drift{Path: sub, Detail: "missing on the live object", fp: p}
			}
			if d := c.drift(wm, live, p, sub); d != nil {
				return d
			}
		}
		return nil
	}
	if hasValues(ours) {
		for _, item := range w {
			if !containsScalar(g, item) {
				return &Drift{Path: orRoot(path), Detail: "item " + c.show(item) + " missing on the live object", fp: fp}
			}
		}
		return nil
	}
	if len(g) != len(w) {
		live := c.show(g)
		if c.mask {
			live = fmt.Sprintf("%d item(s)", len(g))
		}
		return &Drift{Path: orRoot(path), Detail: fmt.Sprintf("want %d item(s), live has %s", len(w), live), fp: fp}
	}
	for i := range w {
		idx := i
		pe := fieldpath.PathElement{Index: &idx}
		if d := c.drift(w[i], g[i], appendPath(fp, pe), fmt.Sprintf("%s[%d]", path, i)); d != nil {
			return d
		}
	}
	return nil
}

// inAtomic reports whether p goes through an item of an atomic list.
func inAtomic(p fieldpath.Path) bool {
	for _, pe := range p {
		if pe.Index != nil {
			return true
		}
	}
	return false
}

// matchItem finds the live item of the desired item want in a keyed list. A
// key of okt's own entry that want agrees with (a key field want leaves out
// was defaulted by the server: a port's protocol) selects the live item
// exactly; else the first live item that agrees with want's key fields.
func matchItem(want map[string]any, live []any, names []string, ourKeys []fieldpath.PathElement) (fieldpath.PathElement, map[string]any, string) {
	sel := selector(want, names)
	for _, pe := range ourKeys {
		if !agrees(want, *pe.Key, true) {
			continue
		}
		for _, l := range live {
			if lm, ok := l.(map[string]any); ok && agrees(lm, *pe.Key, false) {
				return pe, lm, sel
			}
		}
	}
	for _, l := range live {
		lm, ok := l.(map[string]any)
		if !ok {
			continue
		}
		match := true
		for _, n := range names {
			if wv, has := want[n]; has && !scalarEqual(wv, lm[n]) {
				match = false
				break
			}
		}
		if match {
			return keyOfItem(lm, names), lm, sel
		}
	}
	return keyOfItem(want, names), nil, sel
}

// agrees reports whether item holds the key's values; with lenient, a key
// field item lacks counts as agreeing.
func agrees(item map[string]any, key []value.Field, lenient bool) bool {
	for _, f := range key {
		v, has := item[f.Name]
		if !has {
			if lenient {
				continue
			}
			return false
		}
		if !scalarEqual(v, f.Value.Unstructured()) {
			return false
		}
	}
	return true
}

// keyOfItem returns the key path element of a list item.
func keyOfItem(item map[string]any, names []string) fieldpath.PathElement {
	var args []any
	for _, n := range names {
		if v, ok := item[n]; ok {
			args = append(args, n, v)
		}
	}
	if len(args) == 0 {
		return fieldpath.PathElement{}
	}
	return fieldpath.PathElement{Key: fieldpath.KeyByFields(args...)}
}

// selector renders an item's key for a field path: "[name=app]",
// "[containerPort=80,protocol=TCP]".
func selector(item map[string]any, names []string) string {
	var parts []string
	for _, n := range names {
		if v, ok := item[n]; ok {
			parts = append(parts, fmt.Sprintf("%s=%v", n, v))
		}
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func containsScalar(list []any, v any) bool {
	for _, x := range list {
		if scalarEqual(x, v) {
			return true
		}
	}
	return false
}

func appendPath(p fieldpath.Path, pe fieldpath.PathElement) fieldpath.Path {
	out := make(fieldpath.Path, len(p), len(p)+1)
	copy(out, p)
	return append(out, pe)
}

// managerOf names the field manager that owns the field at d's path on the
// live object, other than okt's; when nobody does (the field was removed),
// the manager that wrote the object last.
func (o *ownership) managerOf(d *Drift) string {
	if o == nil || len(o.entries) == 0 {
		return ""
	}
	fp := d.fp
	for i, pe := range fp {
		if pe.Index != nil { // inside an atomic list: owned as a whole
			fp = fp[:i]
			break
		}
	}
	for i, e := range o.entries {
		if e.Manager == o.manager && e.Operation == metav1.ManagedFieldsOperationApply {
			continue
		}
		if len(fp) > 0 && o.set(i).Has(fp) {
			return describeManager(e)
		}
	}
	var last *metav1.ManagedFieldsEntry
	for i := range o.entries {
		e := &o.entries[i]
		if e.Manager == o.manager && e.Operation == metav1.ManagedFieldsOperationApply {
			continue
		}
		if last == nil || timeOf(e).After(timeOf(last)) {
			last = e
		}
	}
	if last == nil {
		return ""
	}
	return describeManager(*last)
}

func timeOf(e *metav1.ManagedFieldsEntry) time.Time {
	if e.Time == nil {
		return time.Time{}
	}
	return e.Time.Time
}

func describeManager(e metav1.ManagedFieldsEntry) string {
	s := fmt.Sprintf("%q (%s", e.Manager, e.Operation)
	if e.Subresource != "" {
		s += " of " + e.Subresource
	}
	return s + ")"
}

func scalarEqual(a, b any) bool {
	if a == b {
		return true
	}
	fa, aok := number(a)
	fb, bok := number(b)
	return aok && bok && fa == fb
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int32:
		return float64(t), true
	}
	return 0, false
}
