package okt_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// pruneWorld is an operator whose builders a test switches on and off.
type pruneWorld struct {
	builders []okt.Builder[*testapi.Widget]
	fail     bool // a step after the writes fails
}

func (p *pruneWorld) run(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
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

func configMapBuilder(suffix string, opts ...resources.Option) okt.Builder[*testapi.Widget] {
	return func(w *testapi.Widget) (resources.Resource, error) {
		return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: objMeta(w, suffix)}, func(cm *corev1.ConfigMap) error {
			cm.Labels = labels(w)
			cm.Data = map[string]string{"k": "v"}
			return nil
		}, opts...), nil
	}
}

// featureBuilder is a conditional resource: wanted while the Widget's data
// says feature=on.
func featureBuilder(w *testapi.Widget) (resources.Resource, error) {
	if w.Spec.Data["feature"] != "on" {
		return nil, nil
	}
	return configMapBuilder("feature")(w)
}

func deploymentBuilder(w *testapi.Widget) (resources.Resource, error) {
	return resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "web")}, func(d *appsv1.Deployment) error {
		d.Spec.Replicas = ptr.To[int32](1)
		d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
		d.Spec.Template = podTemplate(w, "")
		return nil
	}), nil
}

// TestPruning: issue 7, acceptance 4.
func TestPruning(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "prune")
	w.Spec.Data = map[string]string{"feature": "on"}
	if err := plain.Update(ctx, w); err != nil {
		t.Fatal(err)
	}
	// An object with the Widget's labels that okt did not create, and one
	// that exists before okt registers it (adopted, not created).
	decoy := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "prune-decoy", Namespace: ns, Labels: labels(w)}}
	adopted := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "prune-adopted", Namespace: ns, Labels: labels(w)}}
	for _, o := range []client.Object{decoy, adopted} {
		if err := plain.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	world := &pruneWorld{builders: []okt.Builder[*testapi.Widget]{
		configMapBuilder("base"), featureBuilder, deploymentBuilder, configMapBuilder("adopted"),
		configMapBuilder("kept", resources.WithoutPruning()),
	}}
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](world.run))
	reconcileUntilReady(t, r, plain, w)

	exists := func(o client.Object, name string) bool {
		t.Helper()
		err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, o)
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	inventory := func() []string {
		t.Helper()
		inv, err := okt.Inventory(getWidget(t, plain, w))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range inv {
			out = append(out, e.String())
		}
		return out
	}
	wantInventory := func(names ...string) {
		t.Helper()
		if got := inventory(); !slices.Equal(got, names) {
			t.Errorf("inventory %v, want %v", got, names)
		}
	}
	cm := func(n string) string { return "ConfigMap " + ns + "/prune-" + n }
	dep := "Deployment.apps " + ns + "/prune-web"
	// Every object the Widget owns, the adopted one too (okt will never
	// delete it), but not the one WithoutPruning.
	wantInventory(cm("adopted"), cm("base"), cm("feature"), dep)

	steady := func(what string) {
		t.Helper()
		for i := range 3 {
			counter.Reset()
			mustReconcile(t, r, request(w))
			if got := counter.Writes(); len(got) != 0 {
				t.Errorf("%s: steady reconcile %d sent %v", what, i+1, got)
			}
		}
	}
	steady("after creation")

	// A reconcile with a failing step deletes nothing.
	world.builders = []okt.Builder[*testapi.Widget]{configMapBuilder("base"), featureBuilder}
	world.fail = true
	counter.Reset()
	if _, err := r.Reconcile(ctx, request(w)); err == nil {
		t.Fatal("the failing step was not reported")
	}
	for _, wr := range counter.Writes() {
		if strings.HasPrefix(wr, "DELETE") {
			t.Errorf("a failing reconcile deleted: %s", wr)
		}
	}
	if !exists(&appsv1.Deployment{}, "prune-web") {
		t.Error("the Deployment was deleted by a failing reconcile")
	}

	// Builders removed (the Deployment, the adopted and the kept ConfigMap):
	// the next successful reconcile deletes the Deployment only.
	world.fail = false
	counter.Reset()
	mustReconcile(t, r, request(w))
	// The delete, the inventory, and Ready back to True after the failure.
	wantWrites(t, counter.Writes(), "DELETE .../deployments/prune-web", "PATCH .../widgets/prune", "PATCH .../prune/status")
	if exists(&appsv1.Deployment{}, "prune-web") {
		t.Error("the Deployment of a removed builder is still there")
	}
	for _, n := range []string{"prune-adopted", "prune-kept", "prune-decoy"} {
		if !exists(&corev1.ConfigMap{}, n) {
			t.Errorf("%s was deleted: okt did not create it, or it is WithoutPruning", n)
		}
	}
	wantInventory(cm("base"), cm("feature"))
	steady("after pruning")

	// The spec switches the feature off, then on again.
	cur := getWidget(t, plain, w)
	cur.Spec.Data = map[string]string{"feature": "off"}
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	mustReconcile(t, r, request(w))
	if exists(&corev1.ConfigMap{}, "prune-feature") {
		t.Error("the feature's ConfigMap is still there once switched off")
	}
	wantInventory(cm("base"))
	cur = getWidget(t, plain, w)
	cur.Spec.Data = map[string]string{"feature": "on"}
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	mustReconcile(t, r, request(w))
	if !exists(&corev1.ConfigMap{}, "prune-feature") {
		t.Error("the feature's ConfigMap was not created again once switched on")
	}
	wantInventory(cm("base"), cm("feature"))
	steady("after the feature came back")

	// An object deleted and created again by hand under the same name is not
	// okt's any more: never deleted.
	feature := &corev1.ConfigMap{}
	exists(feature, "prune-feature")
	if err := plain.Delete(ctx, feature); err != nil {
		t.Fatal(err)
	}
	if err := plain.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "prune-feature", Namespace: ns}}); err != nil {
		t.Fatal(err)
	}
	world.builders = []okt.Builder[*testapi.Widget]{configMapBuilder("base")}
	mustReconcile(t, r, request(w))
	if !exists(&corev1.ConfigMap{}, "prune-feature") {
		t.Error("a ConfigMap created by hand under a pruned name was deleted")
	}
	wantInventory(cm("base"))
	ready := meta.FindStatusCondition(getWidget(t, plain, w).Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionTrue {
		t.Errorf("Ready %+v, want True", ready)
	}
}

// TestPruningOff: WithPruning(false) deletes nothing and records nothing.
func TestPruningOff(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "noprune")
	world := &pruneWorld{builders: []okt.Builder[*testapi.Widget]{configMapBuilder("a"), configMapBuilder("b")}}
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](world.run), okt.WithPruning(false))
	mustReconcile(t, r, request(w))
	world.builders = world.builders[:1]
	counter.Reset()
	mustReconcile(t, r, request(w))
	if got := counter.Writes(); len(got) != 0 {
		t.Errorf("writes %v, want none with pruning off", got)
	}
	if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "noprune-b"}, &corev1.ConfigMap{}); err != nil {
		t.Errorf("with pruning off, the ConfigMap is gone: %v", err)
	}
	if _, ok := getWidget(t, plain, w).Annotations[okt.InventoryAnnotation]; ok {
		t.Error("with pruning off, an inventory was recorded")
	}
}

// wantWrites compares write requests, "..." standing for the path up to the
// resource type.
func wantWrites(t testing.TB, got []string, want ...string) {
	t.Helper()
	short := make([]string, len(got))
	for i, w := range got {
		method, path, _ := strings.Cut(w, " ")
		parts := strings.Split(path, "/")
		if len(parts) >= 2 {
			path = ".../" + strings.Join(parts[len(parts)-2:], "/")
		}
		short[i] = method + " " + path
	}
	slices.Sort(short)
	slices.Sort(want)
	if !slices.Equal(short, want) {
		t.Errorf("writes %v, want %v", short, want)
	}
}

// TestOwnerConflict: issue 7, acceptance 5. An object of the same name that
// another controller controls: Ready=False naming that owner, no write to it.
// One with no controller is adopted.
func TestOwnerConflict(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "owned")
	theirs := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owned-theirs", Namespace: ns,
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "example.com/v1", Kind: "Gadget", Name: "someone",
			UID: "0b0b0b0b-0000-0000-0000-000000000000", Controller: ptr.To(true)}}},
		Data: map[string]string{"k": "theirs"}}
	free := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owned-free", Namespace: ns}, Data: map[string]string{"k": "old"}}
	for _, o := range []client.Object{theirs, free} {
		if err := plain.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	world := &pruneWorld{builders: []okt.Builder[*testapi.Widget]{configMapBuilder("theirs"), configMapBuilder("free")}}
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](world.run))
	counter.Reset()
	_, err := r.Reconcile(ctx, request(w))
	var conflict *okt.OwnerConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("reconcile error %v, want an OwnerConflictError", err)
	}
	for _, wr := range counter.Writes() {
		if strings.HasSuffix(wr, "/owned-theirs") {
			t.Errorf("okt wrote to an object another controller controls: %s", wr)
		}
	}
	ready := meta.FindStatusCondition(getWidget(t, plain, w).Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionFalse || !strings.Contains(ready.Message, "Gadget someone") {
		t.Errorf("Ready %+v, want False naming Gadget someone", ready)
	}
	got := &corev1.ConfigMap{}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(theirs), got); err != nil {
		t.Fatal(err)
	}
	if got.Data["k"] != "theirs" || got.ResourceVersion != theirs.ResourceVersion {
		t.Errorf("their ConfigMap changed: %+v", got)
	}
	// The free one was adopted: our controller reference, our data.
	if err := plain.Get(ctx, client.ObjectKeyFromObject(free), got); err != nil {
		t.Fatal(err)
	}
	if ref := metav1.GetControllerOf(got); ref == nil || ref.UID != w.UID || got.Data["k"] != "v" {
		t.Errorf("the ConfigMap with no controller was not adopted: %+v", got)
	}
}
