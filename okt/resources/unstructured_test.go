package resources_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// serviceMonitor returns the desired ServiceMonitor of the tests, as a user
// without the Prometheus operator's Go module writes it.
func serviceMonitor(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	u, err := resources.Decode[*unstructured.Unstructured](`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: web
  namespace: ns
  labels:
    release: prometheus
spec:
  jobLabel: app
  selector:
    matchLabels:
      app: web
  endpoints:
  - port: metrics
    interval: 30s
    path: /metrics
`)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func monitorInterval(t *testing.T, env resources.Env) (interval string, labels map[string]string) {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(testapi.ServiceMonitorGVK)
	u = get(t, env, withKey(u, "web"))
	eps, _, _ := unstructured.NestedSlice(u.Object, "spec", "endpoints")
	if len(eps) != 1 {
		t.Fatalf("endpoints %v, want one", eps)
	}
	interval, _ = eps[0].(map[string]any)["interval"].(string)
	return interval, u.GetLabels()
}

func withKey(u *unstructured.Unstructured, name string) *unstructured.Unstructured {
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

// TestUnstructuredResource: a custom resource of another operator, without
// its Go type, works as a typed one: created, verified with no request,
// a live edit set back, a removed field removed.
func TestUnstructuredResource(t *testing.T) {
	env := newEnv(t)
	ctx := t.Context()
	t.Cleanup(func() {
		u := serviceMonitor(t)
		_ = env.Client.Delete(context.Background(), u)
	})
	withLabel := true
	build := func() *resources.Mutable[*unstructured.Unstructured] {
		return resources.NewMutable(serviceMonitor(t), func(u *unstructured.Unstructured) error {
			if !withLabel {
				labels := u.GetLabels()
				delete(labels, "release")
				u.SetLabels(labels)
			}
			return nil
		})
	}
	m := build()
	if got := m.Key(); got != (resources.Key{Group: "monitoring.coreos.com", Kind: "ServiceMonitor", Namespace: ns, Name: "web"}) {
		t.Errorf("Key() = %+v", got)
	}
	if err := m.Fetch(ctx, env); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if m.Exists() {
		t.Fatal("exists before creation")
	}
	if err := m.Prepare(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := m.Create(ctx, env); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got := m.Live().GetObjectKind().GroupVersionKind(); got != testapi.ServiceMonitorGVK {
		t.Errorf("live kind %v", got)
	}

	// A new reconcile: read, prepared, nothing to write.
	m = build()
	if err := m.Fetch(ctx, env); err != nil || !m.Exists() {
		t.Fatalf("Fetch: %v, exists %v", err, m.Exists())
	}
	if err := m.Prepare(ctx, env); err != nil {
		t.Fatal(err)
	}
	if need, why := m.NeedsUpdate(); need {
		t.Fatalf("steady state wants an update: %s", why)
	}
	if got := resources.ReadinessOf(m.Live()); !got.Ready() {
		t.Errorf("a ServiceMonitor without status is %+v, want ready", got)
	}

	// Another writer changes the interval: drift, set back by one apply.
	if err := env.Client.Patch(ctx, withKey(&unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
		"spec": map[string]any{"endpoints": []any{map[string]any{"port": "metrics", "interval": "5s", "path": "/metrics"}}},
	}}, "web"), client.Merge, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	m = build()
	if err := m.Fetch(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := m.Prepare(ctx, env); err != nil {
		t.Fatal(err)
	}
	need, why := m.NeedsUpdate()
	if !need || !strings.Contains(why, ".spec.endpoints") {
		t.Fatalf("NeedsUpdate = %v, %q; want the endpoints' drift", need, why)
	}
	if d := m.DriftOf(); d == nil || !strings.Contains(d.Manager, "kubectl-edit") {
		t.Errorf("drift %+v, want kubectl-edit named", d)
	}
	if err := m.Update(ctx, env); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got, _ := monitorInterval(t, env); got != "30s" {
		t.Errorf("interval %q after the correction, want 30s", got)
	}

	// The label is no longer declared: removed by the next apply.
	withLabel = false
	m = build()
	if err := m.Fetch(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := m.Prepare(ctx, env); err != nil {
		t.Fatal(err)
	}
	if need, _ := m.NeedsUpdate(); !need {
		t.Fatal("a removed label wants no update")
	}
	if err := m.Update(ctx, env); err != nil {
		t.Fatal(err)
	}
	if _, labels := monitorInterval(t, env); labels["release"] != "" {
		t.Errorf("labels %v still hold the removed one", labels)
	}
}

// TestResourceOfAnyType: a resource declared with an interface type works on
// the object's own type, and objects that cannot be resources say why, at
// their first use instead of a panic.
func TestResourceOfAnyType(t *testing.T) {
	env := newEnv(t)
	ctx := t.Context()
	var obj client.Object = configMap("iface", map[string]string{"k": "v"})
	r := resources.NewMutable(obj, func(o client.Object) error {
		o.(*corev1.ConfigMap).Data["k2"] = "v2"
		return nil
	})
	if err := r.Fetch(ctx, env); err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if err := r.Prepare(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := r.Create(ctx, env); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got := get(t, env, configMap("iface", nil)).Data; got["k2"] != "v2" {
		t.Errorf("data %v", got)
	}

	var none client.Object
	for name, res := range map[string]resources.Resource{
		"nil":           resources.New(none),
		"nil pointer":   resources.New((*corev1.ConfigMap)(nil)),
		"no kind":       resources.New(&unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "x"}}}),
		"no kind (mut)": resources.NewMutable(&unstructured.Unstructured{}, nil),
	} {
		t.Run(name, func(t *testing.T) {
			for op, fn := range map[string]func(context.Context, resources.Env) error{
				"Fetch": res.Fetch, "Prepare": res.Prepare, "Create": res.Create, "Delete": res.Delete,
			} {
				err := fn(ctx, env)
				if err == nil {
					t.Errorf("%s: no error", op)
					continue
				}
				if !strings.Contains(err.Error(), "must be a non-nil pointer") && !strings.Contains(err.Error(), "has no apiVersion or kind: set both") {
					t.Errorf("%s: %v", op, err)
				}
			}
		})
	}
}

// TestCustomResourceStatusChangeTakesFastPath: a custom resource's status
// written by its own operator leaves its generation as it is; okt then
// finds it unchanged without comparing it again (as a Deployment's rollout),
// while a change of its spec, which raises the generation, is compared in
// full and its drift found.
func TestCustomResourceStatusChangeTakesFastPath(t *testing.T) {
	env := newEnv(t)
	ctx := t.Context()
	t.Cleanup(func() { _ = env.Client.Delete(context.Background(), withKey(serviceMonitor(t), "fast")) })
	build := func() *resources.Mutable[*unstructured.Unstructured] {
		return resources.NewMutable(withKey(serviceMonitor(t), "fast"), nil)
	}
	created := build()
	if err := created.Prepare(ctx, env); err != nil {
		t.Fatal(err)
	}
	if err := created.Create(ctx, env); err != nil {
		t.Fatal(err)
	}
	check := checkDrift(t, env, build)
	check("first look", false, 0)
	live := func() *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(testapi.ServiceMonitorGVK)
		return get(t, env, withKey(u, "fast"))
	}
	for i := range 3 { // the other operator's status writes
		u := live()
		if err := unstructured.SetNestedField(u.Object, int64(i+1), "status", "observedGeneration"); err != nil {
			t.Fatal(err)
		}
		if err := env.Client.Status().Update(ctx, u); err != nil {
			t.Fatal(err)
		}
		check("a status write", false, 0)
	}
	u := live()
	if err := unstructured.SetNestedField(u.Object, "other", "spec", "jobLabel"); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	check("an edit of the spec", true, 1)
}
