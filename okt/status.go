package okt

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/results"
)

// Condition types the Reconciler manages, kstatus-compatible:
//   - Ready is True when the last reconcile of the current generation
//     succeeded and every owned object is ready (rolled out, complete,
//     bound); False with reason Progressing while one is not, Error after a
//     failure, or the reason of what failed;
//   - Reconciling is True, and present only, while okt waits for owned
//     objects to get ready;
//   - Stalled is True, and present only, after a give-up or when an owned
//     object failed (a failed Job, a rollout past its progress deadline).
//   - FieldConflict is True, and present only, while another writer fights
//     okt over a field of an owned object (see FightRule): its message names
//     the object, the field and the other field manager.
const (
	ConditionReady         = "Ready"
	ConditionReconciling   = "Reconciling"
	ConditionStalled       = "Stalled"
	ConditionFieldConflict = "FieldConflict"
)

// Reasons of the conditions the Reconciler sets.
const (
	ReasonSucceeded   = "Succeeded"
	ReasonProgressing = "Progressing"
	ReasonError       = "Error"
	ReasonGaveUp      = "GaveUp"
	// ReasonFailed is the reason of an owned object that failed, when its
	// readiness gives none.
	ReasonFailed = "Failed"
	// ReasonOtherFieldManager: another field manager keeps changing a field
	// okt owns (FieldConflict).
	ReasonOtherFieldManager = "OtherFieldManager"
	// ReasonFieldImmutable: a desired change the API server refuses, the
	// field being immutable (Stalled).
	ReasonFieldImmutable = "FieldImmutable"
	// ReasonOwnerConflict: an object the custom resource should own exists
	// and belongs to another owner (or may not be adopted): okt leaves it
	// alone.
	ReasonOwnerConflict = "OwnerConflict"
	// ReasonInvalid: the API server refuses an owned object as invalid (a
	// name too long, a label value it does not accept): Stalled, looked at
	// again with growing delays.
	ReasonInvalid = "Invalid"
	// ReasonDeleting: the custom resource is being deleted and okt waits for
	// the objects it deletes itself (see resources.DependsOn and
	// resources.OwnerUIDLabel) to be gone.
	ReasonDeleting = "Deleting"
)

var reasonRE = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`)

func isReason(s string) bool { return len(s) <= 1024 && reasonRE.MatchString(s) }

// ConditionsAccessor is implemented by custom resources that expose their
// status conditions. Without it, the Reconciler looks for a field
// Status.Conditions of type []metav1.Condition; a resource with neither has no
// status managed.
type ConditionsAccessor interface {
	GetConditions() []metav1.Condition
	SetConditions([]metav1.Condition)
}

// conditions reads and writes the conditions of a custom resource: through
// its ConditionsAccessor methods, or its Status.Conditions field.
type conditions struct {
	acc ConditionsAccessor
	ptr *[]metav1.Condition
}

func (c conditions) get() []metav1.Condition {
	if c.acc != nil {
		return c.acc.GetConditions()
	}
	return *c.ptr
}

func (c conditions) set(conds []metav1.Condition) {
	if c.acc != nil {
		c.acc.SetConditions(conds)
		return
	}
	*c.ptr = conds
}

// conditionsOf returns the conditions of obj, false when it has none. It
// allocates nothing.
func conditionsOf(obj any) (conditions, bool) {
	if a, isA := obj.(ConditionsAccessor); isA {
		return conditions{acc: a}, true
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return conditions{}, false
	}
	v = v.Elem()
	if v.Kind() != reflect.Struct {
		return conditions{}, false
	}
	st := v.FieldByName("Status")
	if !st.IsValid() || st.Kind() != reflect.Struct {
		return conditions{}, false
	}
	f := st.FieldByName("Conditions")
	if !f.IsValid() || f.Type() != conditionsType || !f.CanSet() {
		return conditions{}, false
	}
	return conditions{ptr: f.Addr().Interface().(*[]metav1.Condition)}, true
}

var conditionsType = reflect.TypeOf([]metav1.Condition(nil))

func (s *Scope[T]) removeCondition(t string) {
	if meta.FindStatusCondition(s.conditions, t) != nil {
		meta.RemoveStatusCondition(&s.conditions, t)
	}
	if slices.Contains(s.removed, t) {
		return
	}
	if s.removed == nil {
		s.removed = s.removedBuf[:0]
	}
	s.removed = append(s.removed, t)
}

// mergeConditions returns conds with the conditions decided in this
// reconcile set and the removed ones gone.
func (s *Scope[T]) mergeConditions(conds []metav1.Condition) []metav1.Condition {
	out := append([]metav1.Condition(nil), conds...)
	for _, t := range s.removed {
		if meta.FindStatusCondition(out, t) != nil {
			meta.RemoveStatusCondition(&out, t)
		}
	}
	for _, c := range s.conditions {
		meta.SetStatusCondition(&out, c)
	}
	return out
}

// applyConditions sets the conditions decided in this reconcile on the CR. It
// reports false when the CR has no conditions.
func (s *Scope[T]) applyConditions() bool {
	c, ok := conditionsOf(s.cr)
	if !ok {
		return false
	}
	c.set(s.mergeConditions(c.get()))
	return true
}

// statusMap returns the status of obj as JSON values. Only the Status field
// is encoded when obj has one: the spec and the metadata (managedFields
// included) would be encoded for nothing.
func statusMap(obj client.Object) (map[string]any, error) {
	if f := statusField(obj); f.IsValid() {
		data, err := json.Marshal(f.Addr().Interface())
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		return m, nil
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m struct {
		Status map[string]any `json:"status"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return m.Status, nil
}

// sameStatus reports whether a and b have a Status field (of the same type)
// with semantically equal values; false when either has none.
func sameStatus(a, b any) bool {
	sa, sb := statusField(a), statusField(b)
	if !sa.IsValid() || !sb.IsValid() || sa.Type() != sb.Type() {
		return false
	}
	// Pointers to the fields: no copy of the statuses. The same values are
	// semantically equal; only different ones need the semantic rules
	// (a Quantity written two ways, say).
	pa, pb := sa.Addr().Interface(), sb.Addr().Interface()
	return reflect.DeepEqual(pa, pb) || equality.Semantic.DeepEqual(pa, pb)
}

// statusField returns the Status field of a pointer to a struct, or the zero
// Value.
func statusField(obj any) reflect.Value {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return v.Elem().FieldByName("Status")
}

// mergeDiff returns the JSON merge patch (RFC 7386) that takes before to
// after, and whether it is empty.
func mergeDiff(before, after map[string]any) map[string]any {
	patch := map[string]any{}
	for k, a := range after {
		b, had := before[k]
		if had && equality.Semantic.DeepEqual(a, b) {
			continue
		}
		am, aIsMap := a.(map[string]any)
		bm, bIsMap := b.(map[string]any)
		if had && aIsMap && bIsMap {
			if d := mergeDiff(bm, am); len(d) > 0 {
				patch[k] = d
			}
			continue
		}
		patch[k] = a
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			patch[k] = nil
		}
	}
	return patch
}

// statusKey renders a status patch for comparison with the last one written:
// the SHA-256 of its JSON without the conditions' lastTransitionTime (a
// reconcile on a stale copy sets a new one for the same decision). The
// digest, not the JSON, is what the memo keeps: 32 bytes per custom
// resource instead of its whole status.
func statusKey(patch map[string]any) string {
	cp := make(map[string]any, len(patch))
	for k, v := range patch {
		cp[k] = v
	}
	if conds, ok := patch["conditions"].([]metav1.Condition); ok {
		stripped := make([]metav1.Condition, len(conds))
		for i, c := range conds {
			c.LastTransitionTime = metav1.Time{}
			stripped[i] = c
		}
		cp["conditions"] = stripped
	}
	data, err := json.Marshal(cp)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return string(sum[:])
}

// lastStatus remembers, per custom resource, the status patch okt last wrote,
// the resourceVersion of the copy it wrote it over and the one it got back.
var lastStatus = &statusMemo{}

type statusMemo struct {
	mu sync.Mutex
	m  map[types.UID]writtenStatus
}

type writtenStatus struct {
	over, to, key string    // the resourceVersions written over and got back, the patch
	at            time.Time // when
}

// maxStatusMemo bounds the memo: past it, it starts afresh.
const maxStatusMemo = 100000

// staleStatusRequeue is the delay before a reconcile that read a copy older
// than okt's last status write looks again (its own write's watch event
// usually comes first).
const staleStatusRequeue = 250 * time.Millisecond

func (m *statusMemo) wrote(uid types.UID, over, to, key string) {
	if key == "" || uid == "" { // no UID: not from an API server (a fake client)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxStatusMemo {
		m.m = map[types.UID]writtenStatus{}
	}
	m.m[uid] = writtenStatus{over, to, key, time.Now()}
}

// age returns how long ago okt last wrote the status of uid, false when it
// did not since the process started.
func (m *statusMemo) age(uid types.UID, now time.Time) (time.Duration, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.m[uid]
	if !ok {
		return 0, false
	}
	return now.Sub(w.at), true
}

// behind reports whether a reconcile that read rv read the copy okt's last
// status write was written over: a copy the API server has replaced, from a
// cache a step behind. same reports whether it decided the very status that
// write sent. A copy anyone wrote since (another resourceVersion) is not
// behind, nor is one a write left unchanged (the same resourceVersion back).
func (m *statusMemo) behind(uid types.UID, rv, key string) (behind, same bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, ok := m.m[uid]
	if !ok || w.over != rv || w.to == w.over {
		return false, false
	}
	return true, key != "" && w.key == key
}

// changedOwned reports whether this reconcile created, updated or deleted an
// owned object.
func (s *Scope[T]) changedOwned() bool {
	for _, op := range []results.Op{results.Created, results.Updated, results.Deleted, results.Pruned, results.Recreating} {
		if s.results.Count(op) > 0 {
			return true
		}
	}
	return false
}

// writeStatus writes what this reconcile changed in the status of the CR: the
// fields the engine changed (as a JSON merge patch of those fields only), the
// conditions it decided and, when the status holds it, the inventory. The
// patch carries the resourceVersion read at the start, so a status written by
// someone else in between is never clobbered: the conflict is answered by
// reading the CR again, applying the same decisions to its conditions and
// its inventory (keeping the entries recorded in between), and patching
// again. Nothing is sent when nothing changed.
func (s *Scope[T]) writeStatus(ctx context.Context, original T) error {
	s.applyConditions()
	if sameStatus(original, s.cr) {
		return nil // the steady state: compared in typed form, no JSON
	}
	before, err := statusMap(original)
	if err != nil {
		return fmt.Errorf("cannot read the status: %w", err)
	}
	after, err := statusMap(s.cr)
	if err != nil {
		return fmt.Errorf("cannot read the status: %w", err)
	}
	fields := mergeDiff(before, after)
	delete(fields, "conditions")
	if s.inv != nil {
		delete(fields, s.inv.field) // below, like the conditions
	}

	base := original
	for attempt := 0; ; attempt++ {
		patch := map[string]any{}
		for k, v := range fields {
			patch[k] = v
		}
		if c, ok := conditionsOf(base); ok {
			cur := c.get()
			want := s.mergeConditions(cur)
			if !equality.Semantic.DeepEqual(cur, want) {
				patch["conditions"] = want
			}
		}
		var inventory []InventoryEntry
		carries := false
		if s.inv != nil {
			cur, _, _ := inventoryField(base)
			inventory = s.inv.target(cur.Interface().([]InventoryEntry))
			if !slices.Equal(cur.Interface().([]InventoryEntry), inventory) {
				carries = true
				patch[s.inv.field] = inventory
				if len(inventory) == 0 {
					patch[s.inv.field] = nil
				}
			}
		}
		if len(patch) == 0 {
			return nil
		}
		sent := statusKey(patch)
		if attempt == 0 {
			if behind, same := lastStatus.behind(s.cr.GetUID(), base.GetResourceVersion(), sent); same {
				// This reconcile read a copy older than okt's last status
				// write (a cache a step behind), and decided the same
				// status: the API server has it.
				return nil
			} else if behind && !s.changedOwned() {
				// The same stale copy, another status, and no owned
				// object written (whose inventory this write would carry):
				// a write over that copy could only meet a conflict.
				// Decide again on the copy the watch brings.
				s.results.AddRequeue(CRResource, results.StatusDeferred, staleStatusRequeue)
				return nil
			}
		}
		body, err := json.Marshal(map[string]any{
			"metadata": map[string]any{"resourceVersion": base.GetResourceVersion()},
			"status":   patch,
		})
		if err != nil {
			return fmt.Errorf("cannot encode the status patch: %w", err)
		}
		s.wrote(s.controller, causeStatus)
		err = s.client.Status().Patch(ctx, s.cr, client.RawPatch(types.MergePatchType, body))
		if err == nil && carries {
			s.inv.carried, s.inv.sent = true, inventory
		}
		if err == nil {
			lastStatus.wrote(s.cr.GetUID(), base.GetResourceVersion(), s.cr.GetResourceVersion(), sent)
		}
		if !apierrors.IsConflict(err) || attempt == 4 {
			return err
		}
		// Someone else wrote the CR: read it again and apply the same
		// decisions to what is there now.
		fresh := s.cr.DeepCopyObject().(T)
		if err := s.client.Get(ctx, client.ObjectKeyFromObject(s.cr), fresh); err != nil {
			return err
		}
		if fresh.GetResourceVersion() == base.GetResourceVersion() {
			// The cache has not seen the write that made ours stale yet:
			// trying again now would fail again. The conflict requeues.
			return err
		}
		base = fresh
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
}
