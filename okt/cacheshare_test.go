package okt_test

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// scribble changes obj in place, in its maps and slices: what an
// operator's code that forgets an object is read only would do.
func scribble(obj client.Object) {
	if l := obj.GetLabels(); l != nil {
		l["scribbled"] = "yes"
	}
	if a := obj.GetAnnotations(); a != nil {
		a["scribbled"] = "yes"
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		o.Spec.Replicas = ptr.To[int32](99)
		if len(o.Spec.Template.Spec.Containers) > 0 {
			o.Spec.Template.Spec.Containers[0].Image = "scribbled"
		}
	case *corev1.ConfigMap:
		if o.Data != nil {
			o.Data["message"] = "scribbled"
		}
	case *corev1.Service:
		if len(o.Spec.Ports) > 0 {
			o.Spec.Ports[0].Port = 9
		}
	}
}

// TestCacheObjectsStayUnchanged: okt reads its typed objects from the
// manager's cache without copying them (resources.Object.Fetch). Through
// reconciles that create, verify, correct a drift and stay steady, and an
// operator whose readiness function and whose code after the writes change
// the objects they are given in place, the cache's objects stay what the
// API server holds at their resourceVersion.
func TestCacheObjectsStayUnchanged(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "shared")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, cl := cachedClient(ctx, t)
	var built []resources.Resource
	build := func(w *testapi.Widget) []resources.Resource {
		dep := resources.NewMutable(&appsv1.Deployment{ObjectMeta: benchMeta(w, "deploy")}, func(d *appsv1.Deployment) error {
			d.Spec = benchDeploymentSpec(w)
			return nil
		}, resources.WithReadiness(func(live client.Object) resources.Readiness {
			r := resources.ReadinessOf(live)
			scribble(live)
			return r
		}))
		cm, _ := benchConfigMap(w)
		svc, _ := benchService(w)
		built = []resources.Resource{dep, cm, svc}
		return built
	}
	steps := func(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
		widgetSteps{build: build}.run(ctx, s)
		for _, r := range built {
			if l, ok := r.(interface{ Live() client.Object }); ok && l.Live() != nil {
				scribble(l.Live())
			}
		}
	}
	r := okt.New[*testapi.Widget](cl, okt.EngineFunc[*testapi.Widget](steps))
	reconcileUntilReady(t, r, plain, w)

	objects := []client.Object{
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: w.Name + "-deploy"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: w.Name + "-cm"}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: w.Name + "-svc"}},
	}
	// Another writer sets a field okt owns: okt reads the drift from the
	// cache's object and sets the field back.
	cm := &corev1.ConfigMap{}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(objects[1]), cm); err != nil {
		t.Fatal(err)
	}
	cm.Data["message"] = "edited by hand"
	if err := plain.Update(ctx, cm, client.FieldOwner("someone-else")); err != nil {
		t.Fatal(err)
	}
	awaitCached(t, c, plain, objects)
	for range 5 {
		mustReconcile(t, r, request(w))
	}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(cm), cm); err != nil {
		t.Fatal(err)
	}
	if cm.Data["message"] == "edited by hand" {
		t.Fatalf("the drift was not corrected: %v", cm.Data)
	}
	awaitCached(t, c, plain, objects)
	for range 5 {
		mustReconcile(t, r, request(w))
	}
	for _, obj := range objects {
		cached := obj.DeepCopyObject().(client.Object)
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), cached); err != nil {
			t.Fatal(err)
		}
		direct := obj.DeepCopyObject().(client.Object)
		if err := plain.Get(ctx, client.ObjectKeyFromObject(obj), direct); err != nil {
			t.Fatal(err)
		}
		if cached.GetResourceVersion() != direct.GetResourceVersion() {
			// An object written since awaitCached (a Deployment's status
			// by kube-controller-manager): compare once the cache has it.
			awaitCached(t, c, plain, []client.Object{obj})
			if err := c.Get(ctx, client.ObjectKeyFromObject(obj), cached); err != nil {
				t.Fatal(err)
			}
			if err := plain.Get(ctx, client.ObjectKeyFromObject(obj), direct); err != nil {
				t.Fatal(err)
			}
		}
		cached.GetObjectKind().SetGroupVersionKind(direct.GetObjectKind().GroupVersionKind())
		if cached.GetResourceVersion() == direct.GetResourceVersion() && !equality.Semantic.DeepEqual(cached, direct) {
			t.Errorf("the cache's %T %s differs from the API server's at resourceVersion %s:\ncache: %+v\nAPI:   %+v",
				obj, obj.GetName(), direct.GetResourceVersion(), cached, direct)
		}
		if v := cached.GetLabels()["scribbled"]; v != "" {
			t.Errorf("the cache's %T %s carries the operator's in-place change: %v", obj, obj.GetName(), cached.GetLabels())
		}
	}
}

// awaitCached waits until the cache holds each object at the API server's
// resourceVersion.
func awaitCached(t *testing.T, c cache.Cache, plain client.Client, objects []client.Object) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(waitBound)
	for _, obj := range objects {
		for {
			direct := obj.DeepCopyObject().(client.Object)
			cached := obj.DeepCopyObject().(client.Object)
			if err := plain.Get(ctx, client.ObjectKeyFromObject(obj), direct); err != nil {
				t.Fatal(err)
			}
			if err := c.Get(ctx, client.ObjectKeyFromObject(obj), cached); err == nil && cached.GetResourceVersion() == direct.GetResourceVersion() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the cache never caught up with %T %s", obj, obj.GetName())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
