package okt

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/inventory"
	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/okt/results"
)

// InventoryAnnotation is the annotation of the custom resource where okt
// records the objects it created for it, so that it can prune them once they
// are no longer wanted, when its status has no room for them (no field
// Inventory of type []inventory.Entry in its Status struct). With the field,
// the inventory goes in the status, with the status write, and okt removes
// the annotation an older okt left.
const InventoryAnnotation = "okt.orange.com/inventory"

// InventoryEntry is an object okt created for a custom resource: see
// inventory.Entry.
type InventoryEntry = inventory.Entry

// resourceKey identifies the object of an entry, whatever its UID and version.
func resourceKey(e InventoryEntry) resources.Key {
	gv, _ := schema.ParseGroupVersion(e.APIVersion)
	return resources.Key{Group: gv.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
}

// Inventory returns the objects okt recorded as created for cr: those of its
// status (a field Inventory of type []inventory.Entry in its Status struct)
// when there are some, else those of its InventoryAnnotation. A missing or
// unreadable annotation is an empty inventory (nothing is pruned).
func Inventory(cr client.Object) ([]InventoryEntry, error) {
	if f, _, ok := inventoryField(cr); ok {
		if inv := f.Interface().([]InventoryEntry); len(inv) > 0 {
			return slices.Clone(inv), nil
		}
	}
	return annotatedInventory(cr)
}

// annotatedInventory returns the inventory of cr's InventoryAnnotation.
func annotatedInventory(cr client.Object) ([]InventoryEntry, error) {
	v, ok := cr.GetAnnotations()[InventoryAnnotation]
	if !ok || v == "" {
		return nil, nil
	}
	if inv, ok := parsedAnnotations.get(cr.GetUID(), v); ok {
		return inv, nil
	}
	var inv []InventoryEntry
	if err := json.Unmarshal([]byte(v), &inv); err != nil {
		return nil, fmt.Errorf("cannot read the annotation %s: %w", InventoryAnnotation, err)
	}
	parsedAnnotations.put(cr.GetUID(), v, inv)
	return slices.Clone(inv), nil
}

// parsedAnnotations remembers, per custom resource, the last inventory
// annotation read and its entries: a steady reconcile does not decode the
// same JSON again.
var parsedAnnotations = &annotationMemo{}

type annotationMemo struct {
	mu sync.Mutex
	m  map[types.UID]parsedAnnotation
}

type parsedAnnotation struct {
	raw string
	inv []InventoryEntry
}

// maxParsedAnnotations bounds the memo: past it, it starts afresh (entries
// of deleted custom resources are never removed one by one).
const maxParsedAnnotations = 100000

func (a *annotationMemo) get(uid types.UID, raw string) ([]InventoryEntry, bool) {
	if uid == "" {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.m[uid]
	if !ok || p.raw != raw {
		return nil, false
	}
	return slices.Clone(p.inv), true
}

func (a *annotationMemo) put(uid types.UID, raw string, inv []InventoryEntry) {
	if uid == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= maxParsedAnnotations {
		a.m = map[types.UID]parsedAnnotation{}
	}
	a.m[uid] = parsedAnnotation{raw: raw, inv: slices.Clone(inv)}
}

var entriesType = reflect.TypeOf([]InventoryEntry(nil))

// inventoryField returns the field Status.Inventory of obj (a pointer to a
// struct), of type []inventory.Entry, and its JSON name in the status; false
// when obj has no such field, or one that is not serialized.
func inventoryField(obj any) (reflect.Value, string, bool) {
	st := statusField(obj)
	if !st.IsValid() || st.Kind() != reflect.Struct {
		return reflect.Value{}, "", false
	}
	sf, ok := st.Type().FieldByName("Inventory")
	if !ok || len(sf.Index) != 1 || sf.Type != entriesType {
		return reflect.Value{}, "", false
	}
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	switch name {
	case "-":
		return reflect.Value{}, "", false
	case "":
		name = sf.Name
	}
	f := st.Field(sf.Index[0])
	if !f.CanSet() {
		return reflect.Value{}, "", false
	}
	return f, name, true
}

// droppedInventories holds the kinds of custom resources (their
// GroupVersionKind) whose API server did not keep the status.inventory okt
// wrote: a CustomResourceDefinition older than the Go type. Their inventory
// stays in the annotation for the life of the process.
var droppedInventories sync.Map

// statusInventory is the inventory of a reconcile whose custom resource has
// room for it in its status: it goes out with the status write.
type statusInventory struct {
	field     string           // the JSON name of the field in the status
	old, next []InventoryEntry // what prune started from, and what it decided
	sent      []InventoryEntry // what the last successful status write carried
	carried   bool             // a successful status write carried the inventory
}

// target returns the inventory to write over cur, the status inventory of
// the custom resource as last read: next, plus the entries that someone else
// recorded since old was read (on a conflict, when this reconcile ran on a
// stale copy of the custom resource), so that none is lost.
func (si *statusInventory) target(cur []InventoryEntry) []InventoryEntry {
	decided := map[resources.Key]bool{}
	for _, e := range si.old {
		decided[resourceKey(e)] = true
	}
	out := slices.Clone(si.next)
	for _, e := range cur {
		if !decided[resourceKey(e)] {
			out = append(out, e)
		}
	}
	out = appendMissing(nil, out) // one entry per object
	sortInventory(out)
	return out
}

// appendMissing returns inv with the entries of more whose object it does
// not list.
func appendMissing(inv, more []InventoryEntry) []InventoryEntry {
	if len(more) == 0 {
		return inv
	}
	listed := map[resources.Key]bool{}
	for _, e := range inv {
		listed[resourceKey(e)] = true
	}
	for _, e := range more {
		if !listed[resourceKey(e)] {
			inv = append(inv, e)
			listed[resourceKey(e)] = true
		}
	}
	return inv
}

// sortInventory sorts by kind (and group), namespace and name, as their
// String reads: the order of the inventory okt writes.
func sortInventory(inv []InventoryEntry) {
	if slices.IsSortedFunc(inv, compareEntries) {
		return
	}
	slices.SortFunc(inv, compareEntries)
}

// compareEntries compares a.String() and b.String() without building them
// (the steady state sorts the inventory at every reconcile).
func compareEntries(a, b InventoryEntry) int {
	if a == b {
		return 0
	}
	var pa, pb [7]string
	sa, sb := entryParts(a, &pa), entryParts(b, &pb)
	i, j, x, y := 0, 0, 0, 0 // part and byte in each
	for {
		for i < len(sa) && x == len(sa[i]) {
			i, x = i+1, 0
		}
		for j < len(sb) && y == len(sb[j]) {
			j, y = j+1, 0
		}
		switch {
		case i == len(sa) && j == len(sb):
			return 0
		case i == len(sa):
			return -1
		case j == len(sb):
			return 1
		}
		if ca, cb := sa[i][x], sb[j][y]; ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
		x, y = x+1, y+1
	}
}

// entryParts returns the parts of e.String(), in p.
func entryParts(e InventoryEntry, p *[7]string) []string {
	out := p[:0]
	out = append(out, e.Kind)
	if gv, err := schema.ParseGroupVersion(e.APIVersion); err == nil && gv.Group != "" {
		out = append(out, ".", gv.Group)
	}
	out = append(out, " ")
	if e.Namespace != "" {
		out = append(out, e.Namespace, "/")
	}
	return append(out, e.Name)
}

// entryOf returns the inventory entry of a resource just created, or false
// when its kind is not known.
func (s *Scope[T]) entryOf(r resources.Resource) (InventoryEntry, bool) {
	live, desired := liveOf(r), r.Desired()
	if live == nil || desired == nil {
		return InventoryEntry{}, false
	}
	gvk := desired.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" || live.GetUID() == "" {
		return InventoryEntry{}, false
	}
	return InventoryEntry{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind,
		Namespace: live.GetNamespace(), Name: live.GetName(), UID: live.GetUID(),
		Wave: int32(s.registry.Wave(r.Key()))}, true
}

// keySet is a set of keys, scanned while small (a custom resource owns a
// few objects), a map past that.
type keySet struct {
	small [16]resources.Key
	n     int
	large map[resources.Key]bool
}

func (k *keySet) add(key resources.Key) {
	if k.large == nil && k.n < len(k.small) {
		k.small[k.n] = key
		k.n++
		return
	}
	if k.large == nil {
		k.large = make(map[resources.Key]bool, 2*len(k.small))
		for _, x := range k.small[:k.n] {
			k.large[x] = true
		}
	}
	k.large[key] = true
}

func (k *keySet) has(key resources.Key) bool {
	if k.large != nil {
		return k.large[key]
	}
	for _, x := range k.small[:k.n] {
		if x == key {
			return true
		}
	}
	return false
}

// ownedByLabel reports whether the object of e is tied to the custom
// resource by okt's owner label: the custom resource is namespaced and the
// object is not in its namespace (cluster-scoped, or in another one).
func (s *Scope[T]) ownedByLabel(e InventoryEntry) bool {
	return s.cr.GetNamespace() != "" && e.Namespace != s.cr.GetNamespace()
}

// liveOf returns the live object of r, read only: it may share its memory
// with the manager's cache (resources.LiveView). Copy it before a write
// that decodes the answer into it.
func liveOf(r resources.Resource) client.Object {
	return resources.LiveView(r)
}

func prunable(r resources.Resource) bool {
	p, ok := r.(resources.Prunable)
	return !ok || p.Prunable()
}

// prune deletes the objects of the inventory that are no longer registered,
// when every step of this reconcile succeeded, and returns the inventory to
// record: what is still there, plus what this reconcile created. After a
// failure it deletes nothing. It returns changed false when the inventory
// stays as it is.
//
// When the custom resource's status has an Inventory field, the inventory is
// read from it, and from the annotation if there is one (left by an older
// okt, or by a status write that failed), and the next one is set into it
// for the status write to carry: s.inv is set, and the caller writes no
// annotation but calls finishInventory.
//
// With pruning off (WithPruning(false), Basic mode), the inventory records
// only the objects okt must delete itself when the custom resource is
// deleted (tied by owner label, or ordered: see deleteOwned), and nothing is
// pruned.
func (s *Scope[T]) prune(ctx context.Context) (next []InventoryEntry, changed bool) {
	if s.deleting {
		return nil, false
	}
	pruning := s.opts.prune && s.opts.mode != Basic
	ordered := s.registry.Ordered()
	// record reports whether the inventory lists the object of r.
	record := func(r resources.Resource) bool {
		if !prunable(r) {
			return false
		}
		if pruning || ordered {
			return true
		}
		lo, ok := r.(resources.OwnedByLabel)
		return ok && lo.OwnedByLabel(s.cr)
	}
	field, name, inStatus := inventoryField(s.cr)
	if _, dropped := droppedInventories.Load(s.gvk); dropped {
		inStatus = false
	}
	var old []InventoryEntry
	if inStatus {
		old = slices.Clone(field.Interface().([]InventoryEntry))
	}
	annotated, err := annotatedInventory(s.cr)
	if err != nil {
		// Someone edited the annotation: start a new one rather than guess.
		s.log.Info("ignoring the inventory of pruned objects", "error", err.Error())
	}
	// With the status, the annotation is that of an older okt (migration)
	// or of a status write that failed: its entries count too.
	old = appendMissing(old, annotated)
	if !pruning && len(old) == 0 && len(s.created) == 0 {
		return nil, false
	}
	clean := !s.results.HasError() && !s.results.GivenUp()
	var seen keySet
	for _, e := range old {
		r, still := s.registry.Get(resourceKey(e))
		switch {
		case still && record(r):
			e.Wave = int32(s.registry.Wave(r.Key()))
			next = append(next, e)
		case still:
			// Now WithoutPruning: forget it, keep it.
		case !clean || !pruning:
			next = append(next, e)
		default:
			if !s.pruneOne(ctx, e) {
				next = append(next, e)
			}
		}
		seen.add(resourceKey(e))
	}
	// What this reconcile created, and what is the custom resource's
	// without being listed: created by a reconcile that died before it
	// could record it, adopted, or created over a stale cache.
	add := func(r resources.Resource) {
		if e, ok := s.entryOf(r); ok && record(r) && !seen.has(resourceKey(e)) {
			next = append(next, e)
			seen.add(resourceKey(e))
		}
	}
	for _, r := range s.created {
		add(r)
	}
	for _, r := range s.registry.Items() {
		if live := liveOf(r); live != nil && !seen.has(r.Key()) {
			if uid := resources.OwnerUID(live); uid != "" && uid == s.cr.GetUID() {
				add(r)
			}
		}
	}
	sortInventory(next)
	sortInventory(old)
	if inStatus {
		s.inv = &statusInventory{field: name, old: old, next: next}
		if !slices.Equal(field.Interface().([]InventoryEntry), next) {
			field.Set(reflect.ValueOf(next))
		}
	}
	return next, !slices.Equal(next, old)
}

// pruneOne deletes the object of e if it is still the one okt created (same
// UID), and reports whether it is gone from the inventory's point of view:
// deleted, already gone, or not okt's.
func (s *Scope[T]) pruneOne(ctx context.Context, e InventoryEntry) bool {
	name := e.String()
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion(e.APIVersion)
	obj.SetKind(e.Kind)
	obj.SetNamespace(e.Namespace)
	obj.SetName(e.Name)
	uid := e.UID
	if resources.IsSecret(resourceKey(e)) {
		ctx = resources.WithoutWireLogs(ctx)
	}
	// A read first (direct: unstructured objects are not cached): a
	// reconcile that runs on a stale copy of the custom resource, whose
	// inventory still lists an object pruned a moment ago, sends no delete.
	err := s.client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
	if err == nil && obj.GetUID() != uid {
		s.log.V(1).Info("pruning: not deleted, another object of that name exists now", "resource", name)
		return true
	}
	if err == nil && resources.IsAdopted(obj) {
		s.log.V(1).Info("pruning: not deleted, okt adopted it (it did not create it)", "resource", name)
		return true
	}
	if err == nil {
		s.wrote(kindLabel(resourceKey(e)), causePrune)
		err = s.client.Delete(ctx, obj, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	}
	switch {
	case err == nil:
		s.results.AddSuccess(name, results.Pruned)
		s.log.Info("pruned", "resource", name, "reason", "no longer registered by the operator")
		s.normalEvent(EventPruned, "Deleted %s: no longer wanted", readinessSubject(resourceKey(e)))
		return true
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		s.log.V(1).Info("pruning: already gone", "resource", name)
		return true
	case apierrors.IsConflict(err):
		s.log.V(1).Info("pruning: not deleted, another object of that name exists now", "resource", name)
		return true
	}
	s.results.Add(name, results.CRUDError, fmt.Errorf("cannot prune %s: %w", name, err), 0)
	return false
}

// finishInventory completes an inventory kept in the status, after the
// status write. If that write failed, the inventory goes in the annotation,
// when the status held another one: nothing okt created is forgotten, and the
// next reconcile reads both. If the API server did not keep the inventory the
// write carried (the CustomResourceDefinition has no such field yet), the
// inventory goes in the annotation too, as for a status without the field,
// and so it does for the custom resource's kind from then on. Otherwise the
// status holds the inventory: the annotation is removed if there is one (a
// custom resource of an older okt), once.
func (s *Scope[T]) finishInventory(ctx context.Context, original T, statusErr error) error {
	si := s.inv
	inAnnotation := func(inv []InventoryEntry) error {
		cur, err := annotatedInventory(s.cr)
		sortInventory(cur)
		if err == nil && slices.Equal(cur, inv) {
			return nil
		}
		return s.writeInventory(ctx, inv)
	}
	if statusErr != nil {
		held, _, _ := inventoryField(original)
		if slices.Equal(held.Interface().([]InventoryEntry), si.next) {
			return nil
		}
		return inAnnotation(si.next)
	}
	if si.carried && len(si.sent) > 0 {
		field, _, ok := inventoryField(s.cr) // the status the API server returned
		if !ok || !slices.Equal(field.Interface().([]InventoryEntry), si.sent) {
			droppedInventories.Store(s.gvk, true)
			s.log.Error(nil, "the API server does not keep the inventory written in the status: "+
				"update the CustomResourceDefinition (make manifests); until the operator restarts, "+
				"the inventory stays in the annotation "+InventoryAnnotation, "field", "status."+si.field)
			return inAnnotation(si.sent)
		}
	}
	if _, ok := s.cr.GetAnnotations()[InventoryAnnotation]; ok {
		s.log.V(1).Info("the inventory moved from the annotation to the status", "annotation", InventoryAnnotation)
		return s.writeInventory(ctx, nil)
	}
	return nil
}

// writeInventory records next in the custom resource's annotation, with a
// merge patch of that annotation alone; an empty next removes the
// annotation.
func (s *Scope[T]) writeInventory(ctx context.Context, next []InventoryEntry) error {
	var value any
	if len(next) > 0 {
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		value = string(data)
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{InventoryAnnotation: value},
	}})
	if err != nil {
		return err
	}
	s.wrote(s.controller, causeInventory)
	return s.client.Patch(ctx, s.cr, client.RawPatch(types.MergePatchType, patch))
}
