package okt_test

import (
	"context"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
)

// TestCacheBehindOwnCreate: a reconcile whose cache does not yet show the
// object okt created in the reconcile before (its watch event still on its
// way; 2 of 1,000 in make bench-compare) waits for the cache instead of
// applying the object again: no write, no second "Created" Event. An object
// someone deleted right after okt created it is created again.
func TestCacheBehindOwnCreate(t *testing.T) {
	needCluster(t)
	_, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	g := newGizmo(t, plain, ns, "lag")
	counted, err := client.NewWithWatch(counter.Wrap(cfg), client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	var missing atomic.Int32 // the ConfigMap reads the cache answers "not found" to
	c := interceptor.NewClient(counted, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if _, ok := obj.(*corev1.ConfigMap); ok && missing.Add(-1) >= 0 {
				return apierrors.NewNotFound(corev1.Resource("configmaps"), key.Name)
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	world := &invWorld[*testapi.Gizmo]{builders: []okt.Builder[*testapi.Gizmo]{cmOf[*testapi.Gizmo]("a")}}
	r := okt.New[*testapi.Gizmo](c, okt.EngineFunc[*testapi.Gizmo](world.run))
	req := requestOf(g)
	mustReconcile(t, r, req)

	missing.Store(3) // Register's read and two more: the cache catches up after 20 ms
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes())

	cm := &corev1.ConfigMap{}
	cm.Name, cm.Namespace = "lag-a", ns
	if err := plain.Delete(context.Background(), cm); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	mustReconcile(t, r, req)
	wantWrites(t, counter.Writes(), "PATCH .../configmaps/lag-a")
}
