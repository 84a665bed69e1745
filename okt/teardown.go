package okt

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/okt/results"
)

// deleteOwned runs once the custom resource is being deleted and its
// operator's own cleanup (Finalize) succeeded. It deletes the objects of the
// inventory that okt must delete itself:
//   - those tied to the custom resource by okt's owner label (cluster-scoped,
//     or in another namespace): no owner reference can name them, so the
//     garbage collector never would;
//   - when the inventory is ordered (an entry of a wave above 0, see
//     resources.DependsOn), all of them, in reverse order: the highest wave
//     first, each wave once the one above is gone.
//
// An object is deleted only if it is still the one okt created (same UID)
// and still the custom resource's (its owner reference or owner label): one
// a user took over is left. A wave counts as deleted once its objects are
// gone; the last one once their deletion is under way (a Namespace
// terminates after its owner is gone, as with the garbage collector). It
// reports whether nothing is left to wait for; otherwise the Ready condition
// says what is awaited, and the reconcile is retried.
func (s *Scope[T]) deleteOwned(ctx context.Context) bool {
	inv, err := Inventory(s.cr)
	if err != nil {
		s.log.Info("cannot read the inventory: the objects tied to the custom resource by label are left", "error", err.Error())
		return true
	}
	ordered := slices.ContainsFunc(inv, func(e InventoryEntry) bool { return e.Wave > 0 })
	var todo []InventoryEntry
	for _, e := range inv {
		if ordered || s.ownedByLabel(e) {
			todo = append(todo, e)
		}
	}
	if len(todo) == 0 {
		return true
	}
	// The highest wave first; in a wave, the inventory's order.
	slices.SortStableFunc(todo, func(a, b InventoryEntry) int { return int(b.Wave) - int(a.Wave) })
	for start := 0; start < len(todo); {
		end := start
		for end < len(todo) && todo[end].Wave == todo[start].Wave {
			end++
		}
		last := end == len(todo)
		var waiting []string
		for _, e := range todo[start:end] {
			gone, err := s.deleteEntry(ctx, e)
			if err != nil {
				s.results.Add(e.String(), results.CRUDError, err, 0)
				return false
			}
			if !gone && !last {
				waiting = append(waiting, readinessSubject(resourceKey(e)))
			}
		}
		if len(waiting) > 0 {
			msg := "deleting the objects it owns: waiting for " + strings.Join(waiting, ", ") + " to be gone"
			if end < len(todo) {
				msg += fmt.Sprintf(", then %d more", len(todo)-end)
			}
			s.SetCondition(metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: ReasonDeleting, Message: msg})
			s.results.AddRequeue(CRResource, results.AwaitingDeletion, awaitDeletion)
			return false
		}
		start = end
	}
	return true
}

// deleteEntry deletes the object of e if it is still okt's for this custom
// resource, and reports whether it is gone (or is not okt's to delete);
// false while it terminates.
func (s *Scope[T]) deleteEntry(ctx context.Context, e InventoryEntry) (gone bool, err error) {
	name := e.String()
	if resources.IsSecret(resourceKey(e)) {
		ctx = resources.WithoutWireLogs(ctx)
	}
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion(e.APIVersion)
	obj.SetKind(e.Kind)
	key := client.ObjectKey{Namespace: e.Namespace, Name: e.Name}
	err = s.client.Get(ctx, key, obj)
	switch {
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("cannot read %s to delete it: %w", name, err)
	case obj.GetUID() != e.UID:
		s.log.V(1).Info("not deleted: another object of that name exists now", "resource", name)
		return true, nil
	}
	if resources.IsAdopted(obj) {
		s.log.V(1).Info("not deleted: okt adopted it (it did not create it)", "resource", name)
		return true, nil
	}
	if uid, _ := resources.OwnerOf(obj); uid != s.cr.GetUID() {
		s.log.Info("not deleted: it no longer belongs to the custom resource", "resource", name)
		return true, nil
	}
	if obj.GetDeletionTimestamp() != nil {
		return false, nil
	}
	uid := e.UID
	s.wrote(kindLabel(resourceKey(e)), causeDelete)
	err = s.client.Delete(ctx, obj, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	switch {
	case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("cannot delete %s: %w", name, err)
	}
	s.results.AddSuccess(name, results.Deleted)
	s.log.Info("deleted", "resource", name, "reason", "its owner is being deleted")
	s.normalEvent(EventDeleted, "Deleted %s: its owner is being deleted", readinessSubject(resourceKey(e)))
	// Gone at once unless something holds it (finalizers).
	err = s.client.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) || (err == nil && obj.GetUID() != e.UID) {
		return true, nil
	}
	return false, nil
}
