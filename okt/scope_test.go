package okt_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// apiServerAlone starts a kube-apiserver and etcd with the test CRDs and no
// controller at all (no garbage collector, no namespace controller), and
// returns a counting client and a plain one.
func apiServerAlone(t *testing.T) (counted client.Client, counter *testenv.Counter, plain client.Client) {
	t.Helper()
	needCluster(t) // the same binaries, and not with -short
	env := &envtest.Environment{CRDs: testapi.CRDs(), BinaryAssetsDirectory: binDir}
	c, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	counter = &testenv.Counter{}
	counted, err = client.New(counter.Wrap(c), client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	plain, err = client.New(c, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return counted, counter, plain
}

// scopeBuilders are the five objects of TestObjectsOfAnyScope a Gizmo owns:
// cluster-scoped ones (named after its namespace and name: the cluster holds
// the Gizmos of every namespace) and a ConfigMap in another namespace.
func scopeBuilders(other string) map[string]okt.Builder[*testapi.Gizmo] {
	cluster := func(g *testapi.Gizmo, suffix string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: g.Namespace + "-" + g.Name + "-" + suffix}
	}
	return map[string]okt.Builder[*testapi.Gizmo]{
		"ClusterRole": func(g *testapi.Gizmo) (resources.Resource, error) {
			return resources.NewMutable(&rbacv1.ClusterRole{ObjectMeta: cluster(g, "reader")}, func(cr *rbacv1.ClusterRole) error {
				cr.Rules = []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}
				return nil
			}), nil
		},
		"ClusterRoleBinding": func(g *testapi.Gizmo) (resources.Resource, error) {
			m := cluster(g, "reader")
			return resources.NewMutable(&rbacv1.ClusterRoleBinding{ObjectMeta: m}, func(b *rbacv1.ClusterRoleBinding) error {
				b.RoleRef = rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: m.Name}
				b.Subjects = []rbacv1.Subject{{Kind: "ServiceAccount", Name: "default", Namespace: g.Namespace}}
				return nil
			}), nil
		},
		"Namespace": func(g *testapi.Gizmo) (resources.Resource, error) {
			return resources.NewMutable(&corev1.Namespace{ObjectMeta: cluster(g, "work")}, nil), nil
		},
		"PriorityClass": func(g *testapi.Gizmo) (resources.Resource, error) {
			return resources.NewMutable(&schedulingv1.PriorityClass{ObjectMeta: cluster(g, "high")}, func(p *schedulingv1.PriorityClass) error {
				p.Value = 1000
				return nil
			}), nil
		},
		"ConfigMap": func(g *testapi.Gizmo) (resources.Resource, error) {
			m := metav1.ObjectMeta{Name: g.Name + "-shared", Namespace: other}
			return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: m}, func(cm *corev1.ConfigMap) error {
				cm.Data = map[string]string{"owner": g.Namespace + "/" + g.Name}
				return nil
			}), nil
		},
	}
}

// TestObjectsOfAnyScope: issue 18, acceptance 2, on the API server alone (no
// garbage collector): a namespaced custom resource owns a ClusterRole, a
// ClusterRoleBinding, a Namespace, a PriorityClass and a ConfigMap in
// another namespace. All five are created, tied to it by okt's owner label,
// recorded, steady; one removed from the desired state is pruned; deleting
// the custom resource deletes the others, then lets it go; an object that
// another custom resource owns is not taken over.
func TestObjectsOfAnyScope(t *testing.T) {
	counted, counter, plain := apiServerAlone(t)
	ctx := t.Context()
	ns := newNamespace(t, plain)
	other := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "multi")
	b := scopeBuilders(other)
	kinds := []string{"ClusterRole", "ClusterRoleBinding", "Namespace", "PriorityClass", "ConfigMap"}
	world := &invWorld[*testapi.Gizmo]{}
	for _, k := range kinds {
		world.builders = append(world.builders, b[k])
	}
	r := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo](world.run))
	reconcileGizmo := func() error {
		t.Helper()
		_, err := r.Reconcile(ctx, requestOf(g))
		return err
	}
	if err := reconcileGizmo(); err != nil {
		t.Fatal(err)
	}
	objects := map[string]client.Object{
		"ClusterRole":        &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: ns + "-multi-reader"}},
		"ClusterRoleBinding": &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: ns + "-multi-reader"}},
		"Namespace":          &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns + "-multi-work"}},
		"PriorityClass":      &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: ns + "-multi-high"}},
		"ConfigMap":          &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "multi-shared", Namespace: other}},
	}
	state := func(kind string) (exists, deleting bool) {
		t.Helper()
		o := objects[kind].DeepCopyObject().(client.Object)
		err := plain.Get(ctx, client.ObjectKeyFromObject(o), o)
		if apierrors.IsNotFound(err) {
			return false, false
		}
		if err != nil {
			t.Fatal(err)
		}
		if o.GetDeletionTimestamp() == nil {
			uid, owner := resources.OwnerOf(o)
			if uid != getGizmo(t, plain, g).UID || owner != "Gizmo.test.okt.orange.com "+ns+"/multi" || len(o.GetOwnerReferences()) != 0 {
				t.Errorf("%s: owner %q (%s), owner references %v; want the Gizmo's label", kind, uid, owner, o.GetOwnerReferences())
			}
		}
		return true, o.GetDeletionTimestamp() != nil
	}
	for _, k := range kinds {
		if ok, _ := state(k); !ok {
			t.Errorf("%s not created", k)
		}
	}
	cur := getGizmo(t, plain, g)
	if !controllerutil.ContainsFinalizer(cur, "test.okt.orange.com/finalizer") {
		t.Errorf("finalizers %v: okt's is missing", cur.Finalizers)
	}
	wantInv := []string{
		"ClusterRole.rbac.authorization.k8s.io " + ns + "-multi-reader",
		"ClusterRoleBinding.rbac.authorization.k8s.io " + ns + "-multi-reader",
		"ConfigMap " + other + "/multi-shared",
		"Namespace " + ns + "-multi-work",
		"PriorityClass.scheduling.k8s.io " + ns + "-multi-high",
	}
	if got := names(cur.Status.Inventory); !slices.Equal(got, wantInv) {
		t.Errorf("inventory %v, want %v", got, wantInv)
	}
	if ready := meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady); ready == nil || ready.Status != metav1.ConditionTrue {
		t.Errorf("Ready %+v, want True", ready)
	}
	for i := range 3 {
		counter.Reset()
		if err := reconcileGizmo(); err != nil {
			t.Fatal(err)
		}
		if w := counter.Writes(); len(w) != 0 {
			t.Errorf("steady reconcile %d wrote %v", i+1, w)
		}
	}

	// The PriorityClass is no longer wanted: pruned.
	world.builders = nil
	for _, k := range kinds {
		if k != "PriorityClass" {
			world.builders = append(world.builders, b[k])
		}
	}
	if err := reconcileGizmo(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := state("PriorityClass"); ok {
		t.Error("the PriorityClass no longer wanted is still there")
	}
	if got := names(getGizmo(t, plain, g).Status.Inventory); slices.Contains(got, wantInv[4]) || len(got) != 4 {
		t.Errorf("inventory %v after pruning the PriorityClass", got)
	}

	// Another Gizmo wants a ClusterRole that the first one owns: it is not
	// taken over, and its Ready condition says whose it is.
	thief := newGizmo(t, plain, ns, "thief")
	steal := okt.New[*testapi.Gizmo](counted, okt.EngineFunc[*testapi.Gizmo]((&invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{
		func(x *testapi.Gizmo) (resources.Resource, error) {
			return resources.NewMutable(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: ns + "-multi-reader"}}, nil), nil
		},
	}}).run))
	before := objects["ClusterRole"].DeepCopyObject().(client.Object)
	if err := plain.Get(ctx, client.ObjectKeyFromObject(before), before); err != nil {
		t.Fatal(err)
	}
	_, err := steal.Reconcile(ctx, requestOf(thief))
	var conflict *okt.OwnerConflictError
	if !errors.As(err, &conflict) {
		t.Errorf("reconcile of the other Gizmo: %v, want an OwnerConflictError", err)
	}
	ready := meta.FindStatusCondition(getGizmo(t, plain, thief).Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Reason != okt.ReasonOwnerConflict || !strings.Contains(ready.Message, "Gizmo.test.okt.orange.com "+ns+"/multi") {
		t.Errorf("the other Gizmo's Ready %+v, want OwnerConflict naming the owner", ready)
	}
	after := objects["ClusterRole"].DeepCopyObject().(client.Object)
	if err := plain.Get(ctx, client.ObjectKeyFromObject(after), after); err != nil {
		t.Fatal(err)
	}
	if after.GetResourceVersion() != before.GetResourceVersion() {
		t.Error("the ClusterRole owned by the first Gizmo was written by the other")
	}

	// Deleting the Gizmo deletes the four it still owns, then lets it go.
	if err := plain.Delete(ctx, getGizmo(t, plain, g)); err != nil {
		t.Fatal(err)
	}
	if err := reconcileGizmo(); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds[:4] {
		if k == "PriorityClass" {
			continue
		}
		if ok, deleting := state(k); ok && !deleting {
			t.Errorf("%s still there once its owner is deleted", k)
		}
	}
	if ok, _ := state("ConfigMap"); ok {
		t.Error("the ConfigMap in the other namespace is still there")
	}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(g), &testapi.Gizmo{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Gizmo is still there (%v): its finalizer was not removed", err)
	}
}

// TestAdoptionPolicies: an existing object with no owner is adopted by
// default and refused with AdoptNever; one with another controller is
// refused by default and taken over with AdoptAlways.
func TestAdoptionPolicies(t *testing.T) {
	needCluster(t)
	ctx := t.Context()
	counted, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "adopt")
	theirs := metav1.OwnerReference{APIVersion: "example.com/v1", Kind: "Gadget", Name: "someone",
		UID: "0b0b0b0b-0000-0000-0000-000000000001", Controller: ptr.To(true)}
	for _, cm := range []*corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Name: "adopt-free", Namespace: ns}},
		{ObjectMeta: metav1.ObjectMeta{Name: "adopt-taken", Namespace: ns, OwnerReferences: []metav1.OwnerReference{theirs}}},
	} {
		if err := plain.Create(ctx, cm); err != nil {
			t.Fatal(err)
		}
	}
	run := func(policy resources.AdoptionPolicy, suffix string) error {
		world := &pruneWorld{builders: []okt.Builder[*testapi.Widget]{configMapBuilder(suffix, resources.WithAdoption(policy))}}
		_, err := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](world.run)).Reconcile(ctx, request(w))
		return err
	}
	controller := func(name string) *metav1.OwnerReference {
		cm := &corev1.ConfigMap{}
		if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, cm); err != nil {
			t.Fatal(err)
		}
		return metav1.GetControllerOf(cm)
	}

	var conflict *okt.OwnerConflictError
	if err := run(resources.AdoptNever, "free"); !errors.As(err, &conflict) || !strings.Contains(err.Error(), "adoption policy AdoptNever") {
		t.Errorf("AdoptNever on an object with no owner: %v, want an OwnerConflictError naming the policy", err)
	}
	if ref := controller("adopt-free"); ref != nil {
		t.Errorf("AdoptNever adopted it: %+v", ref)
	}
	if err := run(resources.AdoptIfUnowned, "free"); err != nil {
		t.Errorf("AdoptIfUnowned on an object with no owner: %v", err)
	}
	if ref := controller("adopt-free"); ref == nil || ref.UID != w.UID {
		t.Errorf("AdoptIfUnowned: controller %+v, want the Widget", ref)
	}
	if err := run(resources.AdoptIfUnowned, "taken"); !errors.As(err, &conflict) || !strings.Contains(err.Error(), "Gadget someone") {
		t.Errorf("AdoptIfUnowned on another's object: %v, want an OwnerConflictError naming it", err)
	}
	if err := run(resources.AdoptAlways, "taken"); err != nil {
		t.Errorf("AdoptAlways: %v", err)
	}
	if ref := controller("adopt-taken"); ref == nil || ref.UID != w.UID {
		t.Errorf("AdoptAlways: controller %+v, want the Widget", ref)
	}
}
