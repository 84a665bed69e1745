package okt_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// requestLog records when each create request (an apply of an object that
// does not exist) starts and ends, each held 100 ms so that requests sent
// at once overlap.
type requestLog struct {
	mu     sync.Mutex
	events []string // "start <name>", "end <name>"
}

func (l *requestLog) add(ev string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *requestLog) index(ev string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Index(l.events, ev)
}

// nsOf builds the Namespace <name> (cluster-scoped) and cmIn the ConfigMap
// <cr>-<suffix> in the namespace ns.
func nsOf[T client.Object](name string) okt.Builder[T] {
	return func(cr T) (resources.Resource, error) {
		return resources.NewMutable(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, func(*corev1.Namespace) error { return nil }), nil
	}
}

func cmIn[T client.Object](ns, suffix string) okt.Builder[T] {
	return func(cr T) (resources.Resource, error) {
		meta := metav1.ObjectMeta{Name: cr.GetName() + "-" + suffix, Namespace: ns}
		return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: meta}, func(cm *corev1.ConfigMap) error {
			cm.Data = map[string]string{"k": "v"}
			return nil
		}), nil
	}
}

// TestCreatesGoOutAtOnce: the creates of consecutive namespaced objects of
// one reconcile are sent at once (a reconcile waits for the slowest answer,
// not for the sum), on a real API server. A cluster-scoped object is
// created alone, once the creates before it were answered, and before the
// ones after it: a Namespace exists before the ConfigMaps in it are sent.
// Every object is created in that one reconcile, each with its Event.
func TestCreatesGoOutAtOnce(t *testing.T) {
	needCluster(t)
	_, counter, plain := newClients(t)
	counted, err := client.NewWithWatch(counter.Wrap(cfg), client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "burst")
	other := fmt.Sprintf("%s-more", ns)
	t.Cleanup(func() {
		_ = plain.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: other}})
	})
	log := &requestLog{}
	c := interceptor.NewClient(counted, interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			name := obj.GetName()
			log.add("start " + name)
			time.Sleep(100 * time.Millisecond)
			err := c.Patch(ctx, obj, patch, opts...)
			log.add("end " + name)
			return err
		},
	})
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{
		cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b"), cmOf[*testapi.Gizmo]("c"),
		nsOf[*testapi.Gizmo](other),
		cmIn[*testapi.Gizmo](other, "d"), cmIn[*testapi.Gizmo](other, "e"),
	}}
	r := okt.New[*testapi.Gizmo](c, okt.EngineFunc[*testapi.Gizmo](world.run))
	mustReconcile(t, r, requestOf(g))

	at := func(ev string) int {
		i := log.index(ev)
		if i < 0 {
			t.Fatalf("no %q in %v", ev, log.events)
		}
		return i
	}
	// The three ConfigMaps of the first run overlap: each starts before any ends.
	for _, n := range []string{"burst-a", "burst-b", "burst-c"} {
		for _, m := range []string{"burst-a", "burst-b", "burst-c"} {
			if at("start "+n) > at("end "+m) {
				t.Errorf("the create of %s started after the create of %s ended: not sent at once (%v)", n, m, log.events)
			}
		}
	}
	// The Namespace alone, after them; the ConfigMaps in it after it, at once.
	for _, m := range []string{"burst-a", "burst-b", "burst-c"} {
		if at("start "+other) < at("end "+m) {
			t.Errorf("the Namespace was sent before the create of %s was answered (%v)", m, log.events)
		}
	}
	for _, n := range []string{"burst-d", "burst-e"} {
		if at("start "+n) < at("end "+other) {
			t.Errorf("%s was sent before the Namespace it goes in was created (%v)", n, log.events)
		}
	}
	if at("start burst-e") > at("end burst-d") || at("start burst-d") > at("end burst-e") {
		t.Errorf("the ConfigMaps in the new Namespace were not sent at once (%v)", log.events)
	}
	// One apply each, nothing else to them (the Gizmo gets its finalizer,
	// okt holding a cluster-scoped object, and its status).
	cm := func(ns, name string) string { return "PATCH /api/v1/namespaces/" + ns + "/configmaps/" + name }
	want := []string{cm(ns, "burst-a"), cm(ns, "burst-b"), cm(ns, "burst-c"),
		"PATCH /api/v1/namespaces/" + other, cm(other, "burst-d"), cm(other, "burst-e")}
	got := slices.DeleteFunc(counter.Writes(), func(w string) bool { return strings.Contains(w, "/gizmos/") })
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("writes: got %v, want %v", got, want)
	}
	for _, key := range []client.ObjectKey{{Namespace: ns, Name: "burst-a"}, {Namespace: ns, Name: "burst-c"}, {Namespace: other, Name: "burst-e"}} {
		if err := plain.Get(context.Background(), key, &corev1.ConfigMap{}); err != nil {
			t.Errorf("ConfigMap %s not created: %v", key, err)
		}
	}
}

// panicky is a Resource of the operator's own whose Create panics.
type panicky struct{ resources.Resource }

func (panicky) Create(context.Context, resources.Env) error { panic("boom in Create") }

// TestCreatePanicComesBack: a Resource whose Create panics, sent at once
// with another create, does not crash the operator from a goroutine of its
// own: the panic comes back to the reconcile, where okt (or controller-
// runtime) recovers it, once the other create was answered.
func TestCreatePanicComesBack(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "boom")
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{
		cmOf[*testapi.Gizmo]("a"),
		func(cr *testapi.Gizmo) (resources.Resource, error) {
			r, err := cmOf[*testapi.Gizmo]("b")(cr)
			return panicky{r}, err
		},
	}}
	r := okt.New[*testapi.Gizmo](plain, okt.EngineFunc[*testapi.Gizmo](world.run))
	var recovered any
	var err error
	func() {
		defer func() { recovered = recover() }()
		_, err = r.Reconcile(context.Background(), requestOf(g))
	}()
	if recovered == nil && (err == nil || !strings.Contains(err.Error(), "boom in Create")) {
		t.Fatalf("the panic did not come back to the reconcile: recovered %v, error %v", recovered, err)
	}
	if err := plain.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "boom-a"}, &corev1.ConfigMap{}); err != nil {
		t.Errorf("the create sent with the panicking one was not answered: %v", err)
	}
}
