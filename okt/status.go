package okt

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Condition types the Reconciler manages, kstatus-compatible: Ready is True
// when the last reconcile of the current generation succeeded; Stalled is
// True, and present only, after a give-up.
const (
	ConditionReady   = "Ready"
	ConditionStalled = "Stalled"
)

// Reasons of the conditions the Reconciler sets.
const (
	ReasonSucceeded   = "Succeeded"
	ReasonProgressing = "Progressing"
	ReasonError       = "Error"
	ReasonGaveUp      = "GaveUp"
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

// conditionsOf returns a pointer to the conditions of obj, or nil.
func conditionsOf(obj any) (get func() []metav1.Condition, set func([]metav1.Condition), ok bool) {
	if a, isA := obj.(ConditionsAccessor); isA {
		return a.GetConditions, a.SetConditions, true
	}
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, nil, false
	}
	v = v.Elem()
	if v.Kind() != reflect.Struct {
		return nil, nil, false
	}
	st := v.FieldByName("Status")
	if !st.IsValid() || st.Kind() != reflect.Struct {
		return nil, nil, false
	}
	f := st.FieldByName("Conditions")
	if !f.IsValid() || f.Type() != reflect.TypeOf([]metav1.Condition(nil)) || !f.CanSet() {
		return nil, nil, false
	}
	return func() []metav1.Condition { return f.Interface().([]metav1.Condition) },
		func(c []metav1.Condition) { f.Set(reflect.ValueOf(c)) }, true
}

func (s *Scope[T]) removeCondition(t string) {
	meta.RemoveStatusCondition(&s.conditions, t)
	s.removed = append(s.removed, t)
}

// applyConditions sets the conditions decided in this reconcile on the CR.
func (s *Scope[T]) applyConditions() bool {
	get, set, ok := conditionsOf(s.cr)
	if !ok {
		return false
	}
	conds := append([]metav1.Condition(nil), get()...)
	for _, t := range s.removed {
		meta.RemoveStatusCondition(&conds, t)
	}
	for _, c := range s.conditions {
		meta.SetStatusCondition(&conds, c)
	}
	set(conds)
	return true
}

// statusPatch returns the JSON merge patch that takes the status of before to
// the status of after, or nil when they are equal.
func statusPatch(before, after client.Object) ([]byte, error) {
	b, err := statusOf(before)
	if err != nil {
		return nil, err
	}
	a, err := statusOf(after)
	if err != nil {
		return nil, err
	}
	if equality.Semantic.DeepEqual(b, a) {
		return nil, nil
	}
	return json.Marshal(map[string]any{"status": a})
}

func statusOf(obj client.Object) (any, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return m["status"], nil
}

// writeStatus patches the status subresource when it changed. The patch is a
// JSON merge patch without resourceVersion: a concurrent write of the CR does
// not make it fail. A conflict (from a webhook or a proxy) is retried with the
// same patch, which does not depend on the object's version.
func (s *Scope[T]) writeStatus(ctx context.Context, original T) error {
	patch, err := statusPatch(original, s.cr)
	if err != nil {
		return fmt.Errorf("cannot compute the status patch: %w", err)
	}
	if patch == nil {
		return nil
	}
	backoff := wait.Backoff{Steps: 5, Duration: 10_000_000, Factor: 2, Jitter: 0.1}
	var last error
	err = wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
		last = s.client.Status().Patch(ctx, s.cr, client.RawPatch(types.MergePatchType, patch))
		if apierrors.IsConflict(last) {
			return false, nil
		}
		return true, last
	})
	if wait.Interrupted(err) {
		err = last
	}
	return err
}

// ensure metav1 is used for the godoc links above.
var _ = metav1.ConditionTrue
