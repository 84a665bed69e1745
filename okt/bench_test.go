package okt_test

import (
	"context"
	"testing"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// BenchmarkSteadyReconcile measures a reconcile of a Widget owning five
// converged, ready objects (ConfigMap, Secret, Service, ServiceAccount, Deployment)
// against the real API server through a direct client: time, allocations,
// and API requests per reconcile (reads/op, writes/op; writes/op must be 0).
func BenchmarkSteadyReconcile(b *testing.B) {
	needCluster(b)
	counted, counter, plain := newClients(b)
	ns := newNamespace(b, plain)
	w := newWidget(b, plain, ns, "bench")
	five := func(w *testapi.Widget) []resources.Resource { return allKinds(w)[:5] }
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: five}.run))
	reconcileUntilReady(b, r, plain, w)
	ctx := context.Background()
	req := request(w)

	counter.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := r.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(counter.Reads())/float64(b.N), "reads/op")
	b.ReportMetric(float64(len(counter.Writes()))/float64(b.N), "writes/op")
	if n := len(counter.Writes()); n != 0 {
		b.Fatalf("steady reconciles sent %d writes: %v", n, counter.Writes())
	}
}
