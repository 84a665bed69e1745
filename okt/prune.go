package okt

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/okt/results"
)

// InventoryAnnotation is the annotation of the custom resource where okt
// records the objects it created for it, so that it can prune them once they
// are no longer wanted.
const InventoryAnnotation = "okt.orange.com/inventory"

// InventoryEntry is an object okt created for a custom resource. The UID
// makes sure that only that very object is ever pruned: an object deleted
// and created again under the same name (by a user, say) is not okt's.
type InventoryEntry struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Namespace  string    `json:"namespace,omitempty"`
	Name       string    `json:"name"`
	UID        types.UID `json:"uid"`
}

func (e InventoryEntry) String() string { return e.resourceKey().String() }

// resourceKey identifies the object of an entry, whatever its UID and version.
func (e InventoryEntry) resourceKey() resources.Key {
	gv, _ := schema.ParseGroupVersion(e.APIVersion)
	return resources.Key{Group: gv.Group, Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}
}

// Inventory returns the objects okt recorded as created for cr. A missing or
// unreadable annotation is an empty inventory (nothing is pruned).
func Inventory(cr client.Object) ([]InventoryEntry, error) {
	v, ok := cr.GetAnnotations()[InventoryAnnotation]
	if !ok || v == "" {
		return nil, nil
	}
	var inv []InventoryEntry
	if err := json.Unmarshal([]byte(v), &inv); err != nil {
		return nil, fmt.Errorf("cannot read the annotation %s: %w", InventoryAnnotation, err)
	}
	return inv, nil
}

func sortInventory(inv []InventoryEntry) {
	slices.SortFunc(inv, func(a, b InventoryEntry) int { return strings.Compare(a.String(), b.String()) })
}

// entryOf returns the inventory entry of a resource just created, or false
// when its kind is not known.
func entryOf(r resources.Resource) (InventoryEntry, bool) {
	live, desired := liveOf(r), r.Desired()
	if live == nil || desired == nil {
		return InventoryEntry{}, false
	}
	gvk := desired.GetObjectKind().GroupVersionKind()
	if gvk.Kind == "" || gvk.Version == "" || live.GetUID() == "" {
		return InventoryEntry{}, false
	}
	return InventoryEntry{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind,
		Namespace: live.GetNamespace(), Name: live.GetName(), UID: live.GetUID()}, true
}

func liveOf(r resources.Resource) client.Object {
	if l, ok := r.(interface{ Live() client.Object }); ok {
		return l.Live()
	}
	return nil
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
func (s *Scope[T]) prune(ctx context.Context) (next []InventoryEntry, changed bool) {
	if !s.opts.prune || s.opts.mode == Basic || s.deleting {
		return nil, false
	}
	old, err := Inventory(s.cr)
	if err != nil {
		// Someone edited the annotation: start a new one rather than guess.
		s.log.Info("ignoring the inventory of pruned objects", "error", err.Error())
	}
	clean := !s.results.HasError() && !s.results.GivenUp()
	seen := map[resources.Key]bool{}
	for _, e := range old {
		r, still := s.registry.Get(e.resourceKey())
		switch {
		case still && prunable(r):
			next = append(next, e)
		case still:
			// Now WithoutPruning: forget it, keep it.
		case !clean:
			next = append(next, e)
		default:
			if !s.pruneOne(ctx, e) {
				next = append(next, e)
			}
		}
		seen[e.resourceKey()] = true
	}
	for _, r := range s.created {
		e, ok := entryOf(r)
		if !ok || !prunable(r) || seen[e.resourceKey()] {
			continue
		}
		next = append(next, e)
		seen[e.resourceKey()] = true
	}
	sortInventory(next)
	sortInventory(old)
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
	if resources.IsSecret(e.resourceKey()) {
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
	if err == nil {
		s.wrote(kindLabel(e.resourceKey()), causePrune)
		err = s.client.Delete(ctx, obj, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	}
	switch {
	case err == nil:
		s.results.AddSuccess(name, results.Pruned)
		s.log.Info("pruned", "resource", name, "reason", "no longer registered by the operator")
		s.normalEvent(EventPruned, "Deleted %s: no longer wanted", readinessSubject(e.resourceKey()))
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

// writeInventory records next in the custom resource's annotation, with a
// merge patch of that annotation alone.
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
