package okt_test

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// writesByObject splits write requests into those on the Widget's status and
// those on owned objects, keyed by the object name at the end of the path.
func writesByObject(writes []string) (status int, objects map[string]int) {
	objects = map[string]int{}
	for _, w := range writes {
		if strings.HasSuffix(w, "/status") {
			status++
			continue
		}
		objects[w[strings.LastIndex(w, "/")+1:]]++
	}
	return status, objects
}

// TestSpecChangeWritesOncePerAffectedResource: acceptance 2. Changing the
// Widget's image touches the four objects that use it, changing its data the
// two that use it, each with exactly one write, and the change is live.
func TestSpecChangeWritesOncePerAffectedResource(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "change")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: allKinds}.run))
	reconcileUntilReady(t, r, plain, w)

	cases := []struct {
		name   string
		edit   func(w *testapi.Widget)
		affect func(k int) bool
	}{
		{"image", func(w *testapi.Widget) { w.Spec.Image = "memcached:1.6.29" }, func(k int) bool { return kinds[k].usesImage }},
		{"data", func(w *testapi.Widget) { w.Spec.Data = map[string]string{"key": "other", "new": "1"} }, func(k int) bool { return kinds[k].usesData }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cur := &testapi.Widget{}
			if err := plain.Get(ctx, client.ObjectKeyFromObject(w), cur); err != nil {
				t.Fatal(err)
			}
			tc.edit(cur)
			if err := plain.Update(ctx, cur); err != nil {
				t.Fatal(err)
			}
			counter.Reset()
			mustReconcile(t, r, request(w))
			status, objects := writesByObject(counter.Writes())
			want := map[string]int{}
			for k := range kinds {
				if tc.affect(k) {
					want[kinds[k].build(cur).Key().Name] = 1
				}
			}
			if len(want) == 0 {
				t.Fatal("no kind is affected: the test is wrong")
			}
			if len(objects) != len(want) {
				t.Errorf("writes on %d objects %v, want one on each of %v", len(objects), objects, want)
			}
			for name, n := range want {
				if objects[name] != n {
					t.Errorf("%s: %d write(s), want %d", name, objects[name], n)
				}
			}
			// observedGeneration moves with the new generation: one status write.
			if status != 1 {
				t.Errorf("%d status write(s), want 1", status)
			}
			// The change is live.
			for k := range kinds {
				if !tc.affect(k) {
					continue
				}
				res := kinds[k].build(cur)
				if err := res.Fetch(ctx, resources.Env{Client: plain}); err != nil {
					t.Fatal(err)
				}
				live := res.(resources.MutableResource).Live()
				switch o := live.(type) {
				case *appsv1.Deployment:
					if got := o.Spec.Template.Spec.Containers[0].Image; got != cur.Spec.Image {
						t.Errorf("Deployment image %q, want %q", got, cur.Spec.Image)
					}
				case *corev1.ConfigMap:
					if o.Data["key"] != "other" || o.Data["new"] != "1" {
						t.Errorf("ConfigMap data %v, want the new keys", o.Data)
					}
				}
			}
			// And once the rollout is done, the next reconcile is quiet again.
			reconcileUntilReady(t, r, plain, w)
			counter.Reset()
			mustReconcile(t, r, request(w))
			if got := counter.Writes(); len(got) != 0 {
				t.Errorf("reconcile after the change sent %v", got)
			}
		})
	}
}

// edit reads the object at key into obj, applies change and updates it,
// again on a conflict: the local cluster's controllers write too.
func edit(t testing.TB, c client.Client, key client.ObjectKey, obj client.Object, change func()) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(context.Background(), key, obj); err != nil {
			return err
		}
		change()
		return c.Update(context.Background(), obj)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLiveEditsAreUndone: acceptance 3. A managed field edited on the live
// object is set back; a foreign annotation and the Service's allocated
// clusterIP are kept.
func TestLiveEditsAreUndone(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "drift")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: allKinds}.run))
	reconcileUntilReady(t, r, plain, w)

	name := func(kind string) string {
		for _, k := range kinds {
			if k.name == kind {
				return k.build(w).Key().Name
			}
		}
		t.Fatalf("no kind %s", kind)
		return ""
	}
	dep := &appsv1.Deployment{}
	cm := &corev1.ConfigMap{}
	svc := &corev1.Service{}
	get := func(n string, o client.Object) {
		t.Helper()
		if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: n}, o); err != nil {
			t.Fatal(err)
		}
	}
	edit(t, plain, client.ObjectKey{Namespace: ns, Name: name("Deployment")}, dep, func() {
		dep.Spec.Template.Spec.Containers[0].Image = "evil:latest"
		dep.Annotations["team.example.com/owner"] = "ops"
	})
	get(name("ConfigMap"), cm)
	cm.Data["key"] = "tampered"
	cm.Data["extra"] = "added by hand"
	if err := plain.Update(ctx, cm); err != nil {
		t.Fatal(err)
	}
	get(name("Service"), svc)
	clusterIP := svc.Spec.ClusterIP
	if clusterIP == "" {
		t.Fatal("the Service has no clusterIP")
	}
	if svc.Annotations == nil {
		svc.Annotations = map[string]string{}
	}
	svc.Annotations["team.example.com/owner"] = "ops"
	if err := plain.Update(ctx, svc); err != nil {
		t.Fatal(err)
	}

	counter.Reset()
	mustReconcile(t, r, request(w))
	_, objects := writesByObject(counter.Writes())
	if objects[name("Deployment")] != 1 || objects[name("ConfigMap")] != 1 || len(objects) != 2 {
		t.Errorf("writes %v, want one on the Deployment and one on the ConfigMap", objects)
	}

	get(name("Deployment"), dep)
	if got := dep.Spec.Template.Spec.Containers[0].Image; got != w.Spec.Image {
		t.Errorf("Deployment image %q, want it set back to %q", got, w.Spec.Image)
	}
	if dep.Annotations["team.example.com/owner"] != "ops" {
		t.Errorf("foreign annotation on the Deployment lost: %v", dep.Annotations)
	}
	get(name("ConfigMap"), cm)
	if cm.Data["key"] != "value" {
		t.Errorf("ConfigMap key %q, want it set back to %q", cm.Data["key"], "value")
	}
	if cm.Data["extra"] != "added by hand" {
		t.Errorf("a key the operator does not manage was removed: %v", cm.Data)
	}
	get(name("Service"), svc)
	if svc.Spec.ClusterIP != clusterIP {
		t.Errorf("clusterIP %q, want %q kept", svc.Spec.ClusterIP, clusterIP)
	}
	if svc.Annotations["team.example.com/owner"] != "ops" {
		t.Errorf("foreign annotation on the Service lost: %v", svc.Annotations)
	}

	reconcileUntilReady(t, r, plain, w) // the image went and came back: a rollout
	counter.Reset()
	mustReconcile(t, r, request(w))
	if got := counter.Writes(); len(got) != 0 {
		t.Errorf("reconcile after the correction sent %v", got)
	}
}
