package okt_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// monitorOf is the ServiceMonitor a Widget owns, as an operator without the
// Prometheus operator's Go module declares it; its interval comes from the
// Widget's data, and its release label goes when the data says so.
func monitorOf(w *testapi.Widget) []resources.Resource {
	u, err := resources.Decode[*unstructured.Unstructured](`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  labels:
    release: prometheus
spec:
  jobLabel: app
  selector:
    matchLabels:
      app: web
  endpoints:
  - port: metrics
    path: /metrics
`)
	if err != nil {
		panic(err)
	}
	u.SetName(w.Name + "-metrics")
	u.SetNamespace(w.Namespace)
	return []resources.Resource{resources.NewMutable(u, func(u *unstructured.Unstructured) error {
		interval := w.Spec.Data["interval"]
		if interval == "" {
			interval = "30s"
		}
		eps, _, _ := unstructured.NestedSlice(u.Object, "spec", "endpoints")
		eps[0].(map[string]any)["interval"] = interval
		if err := unstructured.SetNestedSlice(u.Object, eps, "spec", "endpoints"); err != nil {
			return err
		}
		if w.Spec.Data["release"] == "none" {
			labels := u.GetLabels()
			delete(labels, "release")
			u.SetLabels(labels)
		}
		return nil
	})}
}

// TestForeignCustomResource: issue 18, acceptance 1 in the library: a
// ServiceMonitor, with no Go type, owned like a typed object. Created; no
// write in a steady state; another writer's change set back; a field the
// operator stops declaring removed; the Widget's Ready follows the
// ServiceMonitor's own conditions, Stalled naming it when it stalls.
func TestForeignCustomResource(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "monitored")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: monitorOf}.run))
	mustReconcile(t, r, request(w))

	monitor := func() *unstructured.Unstructured {
		t.Helper()
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(testapi.ServiceMonitorGVK)
		if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "monitored-metrics"}, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	interval := func() string {
		eps, _, _ := unstructured.NestedSlice(monitor().Object, "spec", "endpoints")
		return eps[0].(map[string]any)["interval"].(string)
	}
	m := monitor()
	if ref := metav1.GetControllerOf(m); ref == nil || ref.UID != w.UID {
		t.Errorf("owner references %v, want the Widget's", m.GetOwnerReferences())
	}
	readyOf := func() *metav1.Condition {
		return meta.FindStatusCondition(getWidget(t, plain, w).Status.Conditions, okt.ConditionReady)
	}
	if c := readyOf(); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Ready %+v: a ServiceMonitor without status is ready as soon as it exists (kstatus)", c)
	}
	noWrites := func(what string) {
		t.Helper()
		for i := range 3 {
			counter.Reset()
			mustReconcile(t, r, request(w))
			if got := counter.Writes(); len(got) != 0 {
				t.Errorf("%s: reconcile %d wrote %v", what, i+1, got)
			}
		}
	}
	noWrites("steady")

	// Another writer changes the interval: set back in one apply.
	patch := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
		"metadata": map[string]any{"name": "monitored-metrics", "namespace": ns},
		"spec":     map[string]any{"endpoints": []any{map[string]any{"port": "metrics", "path": "/metrics", "interval": "1s"}}},
	}}
	if err := plain.Patch(ctx, patch, client.Merge, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	mustReconcile(t, r, request(w))
	if got := interval(); got != "30s" {
		t.Errorf("interval %q after the reconcile, want 30s set back", got)
	}
	if status, objects := writesByObject(counter.Writes()); objects["monitored-metrics"] != 1 {
		t.Errorf("writes %v (status %d), want one apply of the ServiceMonitor", counter.Writes(), status)
	}
	noWrites("after the correction")

	// The release label is no longer declared: removed.
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Data = map[string]string{"release": "none"} })
	mustReconcile(t, r, request(w))
	if _, ok := monitor().GetLabels()["release"]; ok {
		t.Errorf("labels %v: the label no longer declared is still there", monitor().GetLabels())
	}
	noWrites("after the removal")

	// Its controller reports it not ready, then ready, then stalled.
	setStatus := func(conds ...map[string]any) {
		t.Helper()
		m := monitor()
		items := make([]any, len(conds))
		for i, c := range conds {
			c["lastTransitionTime"] = "2026-01-01T00:00:00Z"
			items[i] = c
		}
		_ = unstructured.SetNestedSlice(m.Object, items, "status", "conditions")
		_ = unstructured.SetNestedField(m.Object, m.GetGeneration(), "status", "observedGeneration")
		if err := plain.Status().Update(ctx, m, client.FieldOwner("prometheus-operator")); err != nil {
			t.Fatal(err)
		}
		mustReconcile(t, r, request(w))
	}
	setStatus(map[string]any{"type": "Ready", "status": "False", "reason": "Pending", "message": "no Prometheus selects it yet"})
	if c := readyOf(); c == nil || c.Status != metav1.ConditionFalse || c.Reason != okt.ReasonProgressing ||
		!strings.Contains(c.Message, "ServiceMonitor monitored-metrics") {
		t.Errorf("Ready %+v, want False/Progressing naming the ServiceMonitor", c)
	}
	setStatus(map[string]any{"type": "Ready", "status": "True", "reason": "Selected"})
	if c := readyOf(); c == nil || c.Status != metav1.ConditionTrue {
		t.Errorf("Ready %+v, want True once the ServiceMonitor is", c)
	}
	setStatus(map[string]any{"type": "Stalled", "status": "True", "reason": "InvalidConfiguration", "message": "port metrics not found"})
	conds := getWidget(t, plain, w).Status.Conditions
	stalled := meta.FindStatusCondition(conds, okt.ConditionStalled)
	if stalled == nil || stalled.Status != metav1.ConditionTrue || stalled.Reason != "InvalidConfiguration" ||
		!strings.Contains(stalled.Message, "ServiceMonitor monitored-metrics") {
		t.Errorf("Stalled %+v, want True naming the ServiceMonitor and its reason", stalled)
	}
}
