package okt_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

func firstFive(w *testapi.Widget) []resources.Resource { return allKinds(w)[:5] }

// TestCreationThrottle: WithMaxCreations holds creations back, reports
// Progressing and requeues after the creation delay, until all exist.
func TestCreationThrottle(t *testing.T) {
	needCluster(t)
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "throttle")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: firstFive}.run),
		okt.WithMaxCreations(2), okt.WithCreationDelay(3*time.Second))

	for i, wantCreates := range []int{2, 2, 1} {
		counter.Reset()
		res := mustReconcile(t, r, request(w))
		status, objects := writesByObject(counter.Writes())
		// Each reconcile that creates records its creations in the Widget's
		// inventory annotation: one patch of the Widget.
		if objects[w.Name] != 1 {
			t.Errorf("reconcile %d: %d inventory write(s), want 1", i+1, objects[w.Name])
		}
		delete(objects, w.Name)
		if len(objects) != wantCreates {
			t.Errorf("reconcile %d: %d creations %v, want %d", i+1, len(objects), objects, wantCreates)
		}
		ready := meta.FindStatusCondition(getWidget(t, plain, w).Status.Conditions, okt.ConditionReady)
		if i < 2 {
			if res.RequeueAfter != 3*time.Second {
				t.Errorf("reconcile %d: RequeueAfter %v, want the creation delay", i+1, res.RequeueAfter)
			}
			if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != okt.ReasonProgressing {
				t.Errorf("reconcile %d: Ready %+v, want False/Progressing", i+1, ready)
			}
		}
		if i == 0 && status != 1 {
			t.Errorf("reconcile 1: %d status writes", status)
		}
	}
	// Every object created: Ready once the Deployment is rolled out.
	reconcileUntilReady(t, r, plain, w)
}

// TestBasicModeCreatesOnly: in Basic mode a spec change creates nothing new
// and updates nothing.
func TestBasicModeCreatesOnly(t *testing.T) {
	needCluster(t)
	ctx := t.Context()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "basic")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: firstFive}.run), okt.WithMode(okt.Basic))
	mustReconcile(t, r, request(w))
	cur := getWidget(t, plain, w)
	cur.Spec.Image = "memcached:2"
	cur.Spec.Data = map[string]string{"key": "changed"}
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	mustReconcile(t, r, request(w))
	if _, objects := writesByObject(counter.Writes()); len(objects) != 0 {
		t.Errorf("Basic mode wrote %v", objects)
	}
}

// TestGiveUp: a give-up is terminal (no requeue, a terminal error), sets
// Ready=False and Stalled=True with its reason; the next success clears
// Stalled.
func TestGiveUp(t *testing.T) {
	needCluster(t)
	ctx := t.Context()
	counted, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "giveup")
	giveUp := true
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](func(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
		if giveUp {
			s.GiveUp("InvalidSpec", errors.New("spec.size must be positive"))
			s.ManageError()
			return
		}
		widgetSteps{build: firstFive}.run(ctx, s)
	}))
	res, err := r.Reconcile(ctx, request(w))
	if !errors.Is(err, reconcile.TerminalError(nil)) {
		t.Errorf("give-up: error %v, want a terminal error", err)
	}
	if res.RequeueAfter != 0 {
		t.Errorf("give-up requeues after %v", res.RequeueAfter)
	}
	conds := getWidget(t, plain, w).Status.Conditions
	ready := meta.FindStatusCondition(conds, okt.ConditionReady)
	stalled := meta.FindStatusCondition(conds, okt.ConditionStalled)
	if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != "InvalidSpec" {
		t.Errorf("Ready %+v, want False/InvalidSpec", ready)
	}
	if stalled == nil || stalled.Status != metav1.ConditionTrue {
		t.Errorf("Stalled %+v, want True", stalled)
	}
	giveUp = false
	conds = reconcileUntilReady(t, r, plain, w).Status.Conditions
	if !meta.IsStatusConditionTrue(conds, okt.ConditionReady) || meta.FindStatusCondition(conds, okt.ConditionStalled) != nil {
		t.Errorf("after recovery: %+v", conds)
	}
}
