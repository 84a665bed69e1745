package okt_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// cleanupEngine reconciles a ConfigMap and, when the Widget is deleted, runs
// cleanup.
type cleanupEngine struct {
	cleanup func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error
}

func (e cleanupEngine) Finalizes() bool { return true }

func (e cleanupEngine) Run(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
	if s.IsBeingDeleted() {
		s.Fail(e.cleanup(ctx, s))
		return
	}
	widgetSteps{build: func(w *testapi.Widget) []resources.Resource { return allKinds(w)[:1] }}.run(ctx, s)
}

func getWidget(t testing.TB, c client.Client, w *testapi.Widget) *testapi.Widget {
	t.Helper()
	cur := &testapi.Widget{}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(w), cur); err != nil {
		t.Fatal(err)
	}
	return cur
}

// TestFinalizerLifecycle: acceptance 4.
func TestFinalizerLifecycle(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "final")

	var calls, failures atomic.Int32
	failures.Store(2)
	r := okt.New[*testapi.Widget](counted, cleanupEngine{cleanup: func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
		calls.Add(1)
		if failures.Add(-1) >= 0 {
			return errors.New("the backup service is unreachable")
		}
		if err := s.Register(ctx, allKinds(s.CR())[:1]...); err != nil {
			return err
		}
		return s.DeleteAllResources(ctx)
	}})
	const finalizer = "test.okt.orange.com/finalizer"

	mustReconcile(t, r, request(w))
	if cur := getWidget(t, plain, w); !controllerutil.ContainsFinalizer(cur, finalizer) {
		t.Fatalf("finalizer %s not added: %v", finalizer, cur.Finalizers)
	}
	if err := plain.Delete(ctx, w); err != nil {
		t.Fatal(err)
	}

	for i := 1; i <= 2; i++ {
		_, err := r.Reconcile(ctx, request(w))
		if err == nil || !strings.Contains(err.Error(), "backup service") {
			t.Fatalf("failing cleanup %d: error %v, want the cleanup's error", i, err)
		}
		cur := getWidget(t, plain, w)
		if !controllerutil.ContainsFinalizer(cur, finalizer) {
			t.Fatalf("failing cleanup %d removed the finalizer", i)
		}
		ready := meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady)
		if ready == nil || ready.Status != metav1.ConditionFalse || !strings.Contains(ready.Message, "backup service") {
			t.Errorf("Ready after a failing cleanup: %+v", ready)
		}
	}
	mustReconcile(t, r, request(w))
	if n := calls.Load(); n != 3 {
		t.Errorf("cleanup ran %d times, want 3", n)
	}
	err := plain.Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("the Widget still exists after a successful cleanup: %v", err)
	}
	// The cleanup deleted the ConfigMap.
	res := allKinds(w)[0]
	err = plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: res.Key().Name}, &corev1.ConfigMap{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("the cleanup's ConfigMap still exists: %v", err)
	}
	// A reconcile of the vanished Widget is a no-op.
	mustReconcile(t, r, request(w))
}

// TestStatusReady: acceptance 5 (success and error).
func TestStatusReady(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "status")

	var broken atomic.Bool
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](func(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
		if broken.Load() {
			s.Fail(errors.New("image registry refused the pull secret"))
			s.ManageError()
			return
		}
		widgetSteps{build: func(w *testapi.Widget) []resources.Resource { return allKinds(w)[:2] }}.run(ctx, s)
	}))

	mustReconcile(t, r, request(w))
	cur := getWidget(t, plain, w)
	ready := meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue || ready.ObservedGeneration != cur.Generation {
		t.Fatalf("after success: Ready %+v, generation %d", ready, cur.Generation)
	}

	// A spec change moves observedGeneration.
	cur.Spec.Message = "changed"
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	mustReconcile(t, r, request(w))
	cur = getWidget(t, plain, w)
	ready = meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady)
	if ready.ObservedGeneration != cur.Generation || cur.Generation < 2 {
		t.Errorf("observedGeneration %d, generation %d", ready.ObservedGeneration, cur.Generation)
	}

	broken.Store(true)
	if _, err := r.Reconcile(ctx, request(w)); err == nil {
		t.Fatal("an error of the engine did not reach controller-runtime")
	}
	cur = getWidget(t, plain, w)
	ready = meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != okt.ReasonError ||
		!strings.Contains(ready.Message, "pull secret") {
		t.Fatalf("after an error: Ready %+v", ready)
	}

	broken.Store(false)
	mustReconcile(t, r, request(w))
	cur = getWidget(t, plain, w)
	if !meta.IsStatusConditionTrue(cur.Status.Conditions, okt.ConditionReady) {
		t.Errorf("Ready not True again after recovery: %+v", cur.Status.Conditions)
	}
}

// TestStatusConflictKeepsCondition: acceptance 5 (injected conflict). The
// first status write is answered with a conflict; the condition still lands.
func TestStatusConflictKeepsCondition(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "conflict")
	counted, err := client.NewWithWatch(cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}

	var injected atomic.Int32
	c := interceptor.NewClient(counted, interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			if sub == "status" && injected.Add(1) == 1 {
				// Someone else wrote the status in between.
				other := getWidget(t, plain, w)
				meta.SetStatusCondition(&other.Status.Conditions, metav1.Condition{Type: "Audited", Status: metav1.ConditionTrue, Reason: "Audit", Message: "by another controller"})
				if err := plain.Status().Update(ctx, other); err != nil {
					t.Error(err)
				}
				return apierrors.NewConflict(schema.GroupResource{Group: "test.okt.orange.com", Resource: "widgets"}, w.Name, errors.New("injected"))
			}
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	})
	r := okt.New[*testapi.Widget](c, okt.EngineFunc[*testapi.Widget](widgetSteps{build: func(w *testapi.Widget) []resources.Resource { return allKinds(w)[:1] }}.run))
	if _, err := r.Reconcile(ctx, request(w)); err != nil {
		t.Fatalf("reconcile with a status conflict: %v", err)
	}
	if injected.Load() < 2 {
		t.Fatalf("the status write was not retried after the conflict (%d attempts)", injected.Load())
	}
	cur := getWidget(t, plain, w)
	if !meta.IsStatusConditionTrue(cur.Status.Conditions, okt.ConditionReady) {
		t.Errorf("Ready lost after a status conflict: %+v", cur.Status.Conditions)
	}
	if !meta.IsStatusConditionTrue(cur.Status.Conditions, "Audited") {
		t.Errorf("the other writer's condition was clobbered: %+v", cur.Status.Conditions)
	}
}
