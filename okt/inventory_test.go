package okt_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/inventory"
	"github.com/okt-dev/okt/okt/resources"
)

// invWorld is an operator of any custom resource type, whose ConfigMaps a
// test switches on and off.
type invWorld[T client.Object] struct {
	builders []okt.Builder[T]
	fail     bool // a step after the writes fails
}

func (p *invWorld[T]) run(ctx context.Context, s *okt.Scope[T]) {
	if err := s.RegisterBuilders(ctx, p.builders...); err != nil {
		s.ManageError()
		return
	}
	if err := s.CreateOrUpdateAllResources(ctx); err != nil {
		s.ManageError()
		return
	}
	if p.fail {
		s.Fail(errors.New("a later step failed"))
		s.ManageError()
		return
	}
	s.ManageSuccess()
}

// cmOf builds the ConfigMap <cr>-<suffix>.
func cmOf[T client.Object](suffix string, opts ...resources.Option) okt.Builder[T] {
	return func(cr T) (resources.Resource, error) {
		meta := metav1.ObjectMeta{Name: cr.GetName() + "-" + suffix, Namespace: cr.GetNamespace()}
		return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: meta}, func(cm *corev1.ConfigMap) error {
			cm.Data = map[string]string{"k": "v"}
			return nil
		}, opts...), nil
	}
}

func newGizmo(t testing.TB, c client.Client, ns, name string) *testapi.Gizmo {
	t.Helper()
	g := &testapi.Gizmo{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	if err := c.Create(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return g
}

func getGizmo(t testing.TB, c client.Client, g *testapi.Gizmo) *testapi.Gizmo {
	t.Helper()
	cur := &testapi.Gizmo{}
	if err := c.Get(context.Background(), client.ObjectKeyFromObject(g), cur); err != nil {
		t.Fatal(err)
	}
	return cur
}

func requestOf(cr client.Object) reconcile.Request {
	return reconcile.Request{NamespacedName: client.ObjectKeyFromObject(cr)}
}

// names returns the String of each entry.
func names(inv []inventory.Entry) []string {
	var out []string
	for _, e := range inv {
		out = append(out, e.String())
	}
	return out
}

// TestInventoryWritesPerCreatingReconcile: the writes of a reconcile that
// creates three objects, with the inventory in an annotation (Widget, whose
// status has no room for it) and in the status (Gizmo).
func TestInventoryWritesPerCreatingReconcile(t *testing.T) {
	needCluster(t)
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)

	w := newWidget(t, plain, ns, "annotated")
	rw := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget]((&invWorld[*testapi.Widget]{
		builders: []okt.Builder[*testapi.Widget]{cmOf[*testapi.Widget]("a"), cmOf[*testapi.Widget]("b"), cmOf[*testapi.Widget]("c")},
	}).run))
	counter.Reset()
	mustReconcile(t, rw, request(w))
	before := counter.Writes()
	wantWrites(t, before, "PATCH .../configmaps/annotated-a", "PATCH .../configmaps/annotated-b", "PATCH .../configmaps/annotated-c",
		"PATCH .../annotated/status", "PATCH .../widgets/annotated")

	g := newGizmo(t, plain, ns, "inline")
	rg := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo]((&invWorld[*testapi.Gizmo]{
		builders: []okt.Builder[*testapi.Gizmo]{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b"), cmOf[*testapi.Gizmo]("c")},
	}).run))
	counter.Reset()
	mustReconcile(t, rg, requestOf(g))
	after := counter.Writes()
	wantWrites(t, after, "PATCH .../configmaps/inline-a", "PATCH .../configmaps/inline-b", "PATCH .../configmaps/inline-c",
		"PATCH .../inline/status")
	t.Logf("writes of a reconcile that creates 3 objects: %d with the annotation %v, %d with the status %v",
		len(before), before, len(after), after)
}

// TestInventoryInStatus: a custom resource whose status has the Inventory
// field gets its inventory there, written with the status, never in the
// annotation; pruning keeps every rule.
func TestInventoryInStatus(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "inv")
	adopted := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "inv-adopted", Namespace: ns}}
	if err := plain.Create(ctx, adopted); err != nil {
		t.Fatal(err)
	}
	type B = okt.Builder[*testapi.Gizmo]
	world := &invWorld[*testapi.Gizmo]{builders: []B{
		cmOf[*testapi.Gizmo]("c"), cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b"), cmOf[*testapi.Gizmo]("adopted"),
		cmOf[*testapi.Gizmo]("kept", resources.WithoutPruning()),
	}}
	r := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo](world.run))
	req := requestOf(g)
	cm := func(n string) string { return "ConfigMap " + ns + "/inv-" + n }
	exists := func(name string) bool {
		t.Helper()
		err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &corev1.ConfigMap{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	wantInventory := func(want ...string) {
		t.Helper()
		cur := getGizmo(t, plain, g)
		if got := names(cur.Status.Inventory); !slices.Equal(got, want) {
			t.Errorf("status.inventory %v, want %v", got, want)
		}
		if v, ok := cur.Annotations[okt.InventoryAnnotation]; ok {
			t.Errorf("the annotation was written: %s", v)
		}
		inv, err := okt.Inventory(cur)
		if err != nil || !slices.Equal(names(inv), want) {
			t.Errorf("okt.Inventory = %v, %v; want %v", names(inv), err, want)
		}
		for _, e := range cur.Status.Inventory {
			live := &corev1.ConfigMap{}
			if err := plain.Get(ctx, client.ObjectKey{Namespace: e.Namespace, Name: e.Name}, live); err != nil {
				t.Errorf("%s: %v", e, err)
			} else if live.UID != e.UID || e.APIVersion != "v1" || e.Kind != "ConfigMap" {
				t.Errorf("entry %+v, live UID %s", e, live.UID)
			}
		}
	}
	steady := func(what string) {
		t.Helper()
		for i := range 3 {
			counter.Reset()
			mustReconcile(t, r, req)
			if got := counter.Writes(); len(got) != 0 {
				t.Errorf("%s: steady reconcile %d sent %v", what, i+1, got)
			}
		}
	}

	// Four creations (c, a, b, kept), one adoption: the inventory goes out
	// with the status write, sorted, with the adopted object (never deleted)
	// and without the one WithoutPruning.
	counter.Reset()
	mustReconcile(t, r, req)
	// Creations are server-side applies: PATCH requests.
	wantWrites(t, counter.Writes(), "PATCH .../configmaps/inv-a", "PATCH .../configmaps/inv-b", "PATCH .../configmaps/inv-c",
		"PATCH .../configmaps/inv-kept", "PATCH .../configmaps/inv-adopted", "PATCH .../inv/status")
	wantInventory(cm("a"), cm("adopted"), cm("b"), cm("c"))
	steady("after creation")

	// A failing reconcile deletes nothing and keeps the inventory.
	world.builders = []B{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b")}
	world.fail = true
	counter.Reset()
	if _, err := r.Reconcile(ctx, req); err == nil {
		t.Fatal("the failing step was not reported")
	}
	for _, wr := range counter.Writes() {
		if strings.HasPrefix(wr, "DELETE") || strings.HasSuffix(wr, "/gizmos/inv") {
			t.Errorf("a failing reconcile sent %s", wr)
		}
	}
	wantInventory(cm("a"), cm("adopted"), cm("b"), cm("c"))

	// The builders of c, adopted and kept removed: c is pruned, the adopted
	// one forgotten (okt did not create it), in the status write that sets
	// Ready back to True.
	world.fail = false
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "DELETE .../configmaps/inv-c", "PATCH .../inv/status")
	if exists("inv-c") {
		t.Error("the ConfigMap of a removed builder is still there")
	}
	for _, n := range []string{"inv-adopted", "inv-kept"} {
		if !exists(n) {
			t.Errorf("%s was deleted: okt did not create it, or it is WithoutPruning", n)
		}
	}
	wantInventory(cm("a"), cm("b"))
	steady("after pruning")

	// b now WithoutPruning: forgotten, kept.
	world.builders = []B{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b", resources.WithoutPruning())}
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "PATCH .../inv/status")
	wantInventory(cm("a"))
	world.builders = world.builders[:1]
	steady("after forgetting b")
	if !exists("inv-b") {
		t.Error("an object WithoutPruning was deleted")
	}

	// Every builder removed: the inventory field goes away.
	world.builders = nil
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "DELETE .../configmaps/inv-a", "PATCH .../inv/status")
	wantInventory()
	steady("with nothing left")
}

// TestInventoryMigration: a custom resource of an older okt, its inventory in
// the annotation: the first reconcile moves it to the status (pruning what is
// no longer wanted) and removes the annotation, once.
func TestInventoryMigration(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "mig")
	type B = okt.Builder[*testapi.Gizmo]
	world := &invWorld[*testapi.Gizmo]{builders: []B{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b"), cmOf[*testapi.Gizmo]("c")}}
	r := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo](world.run))
	req := requestOf(g)
	mustReconcile(t, r, req)

	// What an older okt left: the same objects, the inventory in the
	// annotation only.
	cur := getGizmo(t, plain, g)
	if len(cur.Status.Inventory) != 3 {
		t.Fatalf("status.inventory %v, want 3 entries", cur.Status.Inventory)
	}
	data, err := json.Marshal(cur.Status.Inventory)
	if err != nil {
		t.Fatal(err)
	}
	cur.Status.Inventory = nil
	if err := plain.Status().Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	cur.Annotations = map[string]string{okt.InventoryAnnotation: string(data)}
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	cur = getGizmo(t, plain, g)
	if len(cur.Status.Inventory) != 0 || cur.Annotations[okt.InventoryAnnotation] == "" {
		t.Fatalf("not the state of an older okt: %+v", cur)
	}
	if inv, err := okt.Inventory(cur); err != nil || len(inv) != 3 {
		t.Errorf("okt.Inventory of the annotation = %v, %v", inv, err)
	}

	// The builder of c removed: c is pruned from the annotation's entries,
	// the others move to the status, the annotation goes.
	world.builders = world.builders[:2]
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "DELETE .../configmaps/mig-c", "PATCH .../mig/status", "PATCH .../gizmos/mig")
	cur = getGizmo(t, plain, g)
	cm := func(n string) string { return "ConfigMap " + ns + "/mig-" + n }
	if got := names(cur.Status.Inventory); !slices.Equal(got, []string{cm("a"), cm("b")}) {
		t.Errorf("status.inventory %v, want a and b", got)
	}
	if v, ok := cur.Annotations[okt.InventoryAnnotation]; ok {
		t.Errorf("the annotation is still there: %s", v)
	}
	if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "mig-c"}, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("mig-c: %v, want it pruned", err)
	}
	for i := range 3 {
		counter.Reset()
		mustReconcile(t, r, req)
		if got := counter.Writes(); len(got) != 0 {
			t.Errorf("steady reconcile %d after the migration sent %v", i+1, got)
		}
	}

	// The migrated entries prune as any other.
	world.builders = world.builders[:1]
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "DELETE .../configmaps/mig-b", "PATCH .../mig/status")
	if got := names(getGizmo(t, plain, g).Status.Inventory); !slices.Equal(got, []string{cm("a")}) {
		t.Errorf("status.inventory %v, want a", got)
	}
}

// TestInventoryStatusWriteFails: when the status write that should carry
// the inventory fails, the inventory goes in the annotation, so that nothing
// okt created is forgotten; the next reconcile moves it to the status.
func TestInventoryStatusWriteFails(t *testing.T) {
	needCluster(t)
	_, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "fails")
	counted, err := client.NewWithWatch(counter.Wrap(cfg), client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	failing.Store(true)
	c := interceptor.NewClient(counted, interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
			if failing.Load() {
				return apierrors.NewInternalError(errors.New("status writes fail in this test"))
			}
			return c.SubResource(sub).Patch(ctx, obj, p, opts...)
		},
	})
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b")}}
	r := okt.New[*testapi.Gizmo](c, okt.EngineFunc[*testapi.Gizmo](world.run))
	req := requestOf(g)
	counter.Reset()
	if _, err := r.Reconcile(context.Background(), req); err == nil || !strings.Contains(err.Error(), "status writes fail") {
		t.Fatalf("reconcile error %v, want the status write's", err)
	}
	wantWrites(t, counter.Writes(), "PATCH .../configmaps/fails-a", "PATCH .../configmaps/fails-b", "PATCH .../gizmos/fails")
	cur := getGizmo(t, plain, g)
	inv, err := okt.Inventory(cur)
	if err != nil || len(inv) != 2 || len(cur.Status.Inventory) != 0 {
		t.Errorf("after a failed status write: annotation %v (%v), status %v; want 2 entries in the annotation", inv, err, cur.Status.Inventory)
	}

	failing.Store(false)
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "PATCH .../fails/status", "PATCH .../gizmos/fails")
	cur = getGizmo(t, plain, g)
	if len(cur.Status.Inventory) != 2 || cur.Annotations[okt.InventoryAnnotation] != "" {
		t.Errorf("status.inventory %v, annotation %q; want 2 entries in the status only", cur.Status.Inventory, cur.Annotations[okt.InventoryAnnotation])
	}
}

// TestInventoryDroppedByOldCRD: a Go type with the field on a
// CustomResourceDefinition without it (not updated): the API server drops
// the inventory from the status, so okt keeps it in the annotation, and a
// steady state still sends no write.
func TestInventoryDroppedByOldCRD(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := testapi.AddLegacyGizmo(scheme); err != nil {
		t.Fatal(err)
	}
	counter := &testenv.Counter{}
	counted, err := client.New(counter.Wrap(cfg), client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "old")
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b")}}
	r := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo](world.run))
	req := requestOf(g)
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "PATCH .../configmaps/old-a", "PATCH .../configmaps/old-b", "PATCH .../old/status", "PATCH .../legacygizmos/old")
	cur := getGizmo(t, plain, g)
	inv, err := okt.Inventory(cur)
	if err != nil || len(inv) != 2 || len(cur.Status.Inventory) != 0 {
		t.Errorf("annotation %v (%v), status %v; want 2 entries in the annotation", inv, err, cur.Status.Inventory)
	}
	for i := range 3 {
		counter.Reset()
		mustReconcile(t, r, req)
		if got := counter.Writes(); len(got) != 0 {
			t.Errorf("steady reconcile %d sent %v", i+1, got)
		}
	}
	world.builders = world.builders[:1]
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "DELETE .../configmaps/old-b", "PATCH .../legacygizmos/old")
	if inv, _ := okt.Inventory(getGizmo(t, plain, g)); !slices.Equal(names(inv), []string{"ConfigMap " + ns + "/old-a"}) {
		t.Errorf("inventory %v, want old-a", names(inv))
	}
	if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "old-b"}, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("old-b: %v, want it pruned", err)
	}
}

// staleReads returns a client counted by counter whose next read of a Gizmo,
// once serveStale is set, answers stale: a cache a step behind.
func staleReads(t *testing.T, counter *testenv.Counter, stale *testapi.Gizmo) (c client.WithWatch, serveStale *atomic.Bool) {
	t.Helper()
	counted, err := client.NewWithWatch(counter.Wrap(cfg), client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	serveStale = &atomic.Bool{}
	return interceptor.NewClient(counted, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if gz, ok := obj.(*testapi.Gizmo); ok && serveStale.CompareAndSwap(true, false) {
				stale.DeepCopyInto(gz)
				return nil
			}
			return c.Get(ctx, key, obj, opts...)
		},
	}), serveStale
}

// TestInventoryStaleRead: a reconcile that runs on a stale copy of the
// custom resource (a cache behind the last status write) and creates an
// object: its status write conflicts, and the retry keeps the entries
// recorded in between.
func TestInventoryStaleRead(t *testing.T) {
	needCluster(t)
	_, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "stale")
	stale := getGizmo(t, plain, g)
	c, serveStale := staleReads(t, counter, stale)
	type B = okt.Builder[*testapi.Gizmo]
	world := &invWorld[*testapi.Gizmo]{builders: []B{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b")}}
	r := okt.New[*testapi.Gizmo](c, okt.EngineFunc[*testapi.Gizmo](world.run))
	req := requestOf(g)
	mustReconcile(t, r, req)

	world.builders = append(world.builders, cmOf[*testapi.Gizmo]("c"))
	serveStale.Store(true)
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "PATCH .../configmaps/stale-c", "PATCH .../stale/status", "PATCH .../stale/status")
	cm := func(n string) string { return "ConfigMap " + ns + "/stale-" + n }
	if got := names(getGizmo(t, plain, g).Status.Inventory); !slices.Equal(got, []string{cm("a"), cm("b"), cm("c")}) {
		t.Errorf("status.inventory %v, want a, b and c", got)
	}
}

// TestStatusStaleCopyDeferred: a reconcile that reads a copy of the custom
// resource from before okt's own last status write (a cache a step behind),
// decides another status and writes no owned object sends nothing (the
// write could only meet a conflict: 103 of them at N=1000 in
// make bench-compare) and asks to look again shortly; the next reconcile, on
// a fresh copy, writes the status once.
func TestStatusStaleCopyDeferred(t *testing.T) {
	needCluster(t)
	_, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "deferred")
	stale := getGizmo(t, plain, g)
	c, serveStale := staleReads(t, counter, stale)
	audited := metav1.ConditionFalse
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{cmOf[*testapi.Gizmo]("a")}}
	r := okt.New[*testapi.Gizmo](c, okt.EngineFunc[*testapi.Gizmo](func(ctx context.Context, s *okt.Scope[*testapi.Gizmo]) {
		s.SetCondition(metav1.Condition{Type: "Audited", Status: audited, Reason: "Audit", Message: "by the test"})
		world.run(ctx, s)
	}))
	req := requestOf(g)
	mustReconcile(t, r, req)

	audited = metav1.ConditionTrue
	serveStale.Store(true)
	counter.Reset()
	res := mustReconcile(t, r, req)
	wantWrites(t, counter.Writes())
	if res.RequeueAfter <= 0 || res.RequeueAfter > time.Second {
		t.Errorf("a status deferred on a stale copy asked for a requeue after %v, want one within a second", res.RequeueAfter)
	}

	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "PATCH .../deferred/status")
	cur := getGizmo(t, plain, g)
	if !meta.IsStatusConditionTrue(cur.Status.Conditions, "Audited") || !meta.IsStatusConditionTrue(cur.Status.Conditions, okt.ConditionReady) {
		t.Errorf("conditions %+v after the fresh reconcile, want Audited and Ready True", cur.Status.Conditions)
	}
	if got := names(cur.Status.Inventory); !slices.Equal(got, []string{"ConfigMap " + ns + "/deferred-a"}) {
		t.Errorf("status.inventory %v, want the ConfigMap", got)
	}
}

// TestInventoryAfterCrash: the operator dies after it created objects and
// before any write recorded them (status and annotation both lost here);
// the next reconcile finds them carrying the custom resource's identity and
// records them, and a later removal prunes them.
func TestInventoryAfterCrash(t *testing.T) {
	needCluster(t)
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "crash")
	dead := interceptor.NewClient(mustWatch(t), interceptor.Funcs{
		SubResourcePatch: func(context.Context, client.Client, string, client.Object, client.Patch, ...client.SubResourcePatchOption) error {
			return errors.New("the operator died")
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
			if _, isGizmo := obj.(*testapi.Gizmo); isGizmo {
				return errors.New("the operator died")
			}
			return c.Patch(ctx, obj, p, opts...)
		},
	})
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{cmOf[*testapi.Gizmo]("a"), cmOf[*testapi.Gizmo]("b")}}
	if _, err := okt.New[*testapi.Gizmo](dead, okt.EngineFunc[*testapi.Gizmo](world.run)).Reconcile(context.Background(), requestOf(g)); err == nil {
		t.Fatal("the lost writes were not reported")
	}
	if inv, _ := okt.Inventory(getGizmo(t, plain, g)); len(inv) != 0 {
		t.Fatalf("inventory %v before the restart, want none recorded", names(inv))
	}
	r := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo](world.run))
	counter.Reset()
	mustReconcile(t, r, requestOf(g))
	wantWrites(t, counter.Writes(), "PATCH .../crash/status")
	if got := names(getGizmo(t, plain, g).Status.Inventory); !slices.Equal(got, []string{"ConfigMap " + ns + "/crash-a", "ConfigMap " + ns + "/crash-b"}) {
		t.Errorf("inventory %v after the restart, want both ConfigMaps", got)
	}
	world.builders = world.builders[:1]
	counter.Reset()
	mustReconcile(t, r, requestOf(g))
	wantWrites(t, counter.Writes(), "DELETE .../configmaps/crash-b", "PATCH .../crash/status")
}
