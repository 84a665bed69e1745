package okt_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// widgetSteps registers one resource of each kind that build returns.
type widgetSteps struct {
	build func(w *testapi.Widget) []resources.Resource
}

func (ws widgetSteps) run(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
	if err := s.Register(ctx, ws.build(s.CR())...); err != nil {
		s.ManageError()
		return
	}
	if err := s.MutateAllResources(ctx); err != nil {
		s.ManageError()
		return
	}
	if err := s.CreateOrUpdateAllResources(ctx); err != nil {
		s.ManageError()
		return
	}
	s.ManageSuccess()
}

func allKinds(w *testapi.Widget) []resources.Resource {
	out := make([]resources.Resource, len(kinds))
	for i, k := range kinds {
		out[i] = k.build(w)
	}
	return out
}

func newWidget(t testing.TB, c client.Client, ns, name string) *testapi.Widget {
	t.Helper()
	w := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: testapi.WidgetSpec{Size: 2, Image: "memcached:1.6.26", Message: "hello",
			Data: map[string]string{"key": "value"}},
	}
	if err := c.Create(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return w
}

func request(w *testapi.Widget) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: w.Namespace, Name: w.Name}}
}

// versions returns the resourceVersion of the widget and the generation of
// every object it owns, by key.
func versions(t testing.TB, c client.Client, w *testapi.Widget, res []resources.Resource) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	cur := &testapi.Widget{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(w), cur); err != nil {
		t.Fatal(err)
	}
	out["Widget"] = cur.ResourceVersion
	for _, r := range res {
		if err := r.Fetch(ctx, resources.Env{Client: c}); err != nil {
			t.Fatal(err)
		}
		m, ok := r.(resources.MutableResource)
		if !ok || m.Live() == nil {
			t.Fatalf("%s does not exist", r.Key())
		}
		// The generation: the local cluster's controllers write the
		// objects' status (a new resourceVersion), never their spec.
		out[r.Key().String()] = strconv.FormatInt(m.Live().GetGeneration(), 10)
	}
	return out
}

func mustReconcile(t testing.TB, r reconcile.Reconciler, req reconcile.Request) reconcile.Result {
	t.Helper()
	res, err := r.Reconcile(context.Background(), req)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	return res
}

// reconcileUntilReady reconciles w until its Ready condition is True (the
// local cluster's controllers roll its workloads out in a second or two) and
// returns it; it fails t after waitBound.
func reconcileUntilReady(t testing.TB, r reconcile.Reconciler, c client.Client, w *testapi.Widget) *testapi.Widget {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for {
		mustReconcile(t, r, request(w))
		cur := &testapi.Widget{}
		if err := c.Get(context.Background(), client.ObjectKeyFromObject(w), cur); err != nil {
			t.Fatal(err)
		}
		if meta.IsStatusConditionTrue(cur.Status.Conditions, okt.ConditionReady) {
			return cur
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not Ready after %v: %+v\n%s", w.Name, waitBound, cur.Status.Conditions, stuck(w.Namespace))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSteadyStateSendsNoWrite: acceptance 1. After the first reconcile of a
// Widget owning one object of each of 16 kinds, five more reconciles send no
// write request and leave every resourceVersion as it was.
func TestSteadyStateSendsNoWrite(t *testing.T) {
	needCluster(t)
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "all")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: allKinds}.run))

	mustReconcile(t, r, request(w))
	first := counter.Writes()
	if len(first) < len(kinds) {
		t.Fatalf("first reconcile: %d writes, want at least %d creations: %v", len(first), len(kinds), first)
	}
	reconcileUntilReady(t, r, plain, w)

	before := versions(t, plain, w, allKinds(w))
	fullBefore, fastBefore := resources.DriftChecks()
	for i := range 5 {
		counter.Reset()
		mustReconcile(t, r, request(w))
		if got := counter.Writes(); len(got) != 0 {
			t.Errorf("steady reconcile %d sent %d write(s): %v", i+1, len(got), got)
		}
	}
	// The fast path: each live object is compared in full at most once (the
	// first time its current resourceVersion is seen), then found unchanged
	// by its resourceVersion.
	full, fast := resources.DriftChecks()
	if full-fullBefore > int64(len(kinds)) || fast-fastBefore < int64(4*len(kinds)) {
		t.Errorf("5 steady reconciles of %d objects: %d full and %d fast drift checks, want at most %d full",
			len(kinds), full-fullBefore, fast-fastBefore, len(kinds))
	}
	after := versions(t, plain, w, allKinds(w))
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("the Widget or an object's spec changed (-before +after):\n%s", d)
	}
}

func findCondition(w *testapi.Widget, t string) *metav1.Condition {
	return meta.FindStatusCondition(w.Status.Conditions, t)
}
