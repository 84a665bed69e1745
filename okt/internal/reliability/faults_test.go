package reliability

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/internal/faultproxy"
	"github.com/okt-dev/okt/okt/internal/testapi"
)

// faults are the faults of TestFaults: a minute of them.
var faults = faultproxy.Faults{
	Errors: 0.05, Throttles: 0.05, RetryAfter: time.Second, Resets: 0.02,
	Delays: 0.10, Delay: 2 * time.Second, WatchCut: 10 * time.Second,
}

// TestFaults: issue 21, acceptance 2. The operator talks to the API server
// through a proxy that, for a minute, answers errors, throttles, resets
// connections, delays answers and cuts watches, then turns transparent:
// within 2 minutes 100/100 custom resources are Ready, nothing duplicated,
// no condition lost (another writer's condition on each custom resource
// stays), no panic in the operator's log, and no write in the 15 s after.
func TestFaults(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	c := newClient(t)
	ns := newNamespace(t, c)
	const n = 100
	gizmos(t, c, ns, n)
	// Another writer's condition on every Gizmo.
	list := &testapi.GizmoList{}
	if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for i := range list.Items {
		g := &list.Items[i]
		meta.SetStatusCondition(&g.Status.Conditions, metav1.Condition{Type: "Audited", Status: metav1.ConditionTrue, Reason: "Checked"})
		if err := c.Status().Update(ctx, g, client.FieldOwner("auditor")); err != nil {
			t.Fatal(err)
		}
	}

	proxy, err := faultproxy.Start(cfg, 21)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	proxy.SetFaults(faults)
	p := start(t, proxy.Kubeconfig(), "--workers", workers())
	begin := time.Now()
	for time.Since(begin) < time.Minute {
		time.Sleep(5 * time.Second)
		r, _ := readyCount(t, c, ns)
		t.Logf("faults on for %2.0fs: %d/%d Ready", time.Since(begin).Seconds(), r, n)
	}
	proxy.SetFaults(faultproxy.Faults{})
	faulted := 0
	for _, v := range proxy.Counts() {
		faulted += v
	}
	t.Logf("the proxy turns transparent: %s", proxy)
	if faulted == 0 {
		t.Fatal("the proxy faulted no request: this run proves nothing")
	}
	transparent := time.Now()
	deadline := transparent.Add(2 * time.Minute)
	for {
		r, _ := readyCount(t, c, ns)
		if r == n {
			t.Logf("all %d Ready %.1fs after the faults stopped", n, time.Since(transparent).Seconds())
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d/%d Ready 2 minutes after the faults stopped", r, n)
		}
		time.Sleep(time.Second)
	}
	owned(t, c, ns, func(string) string { return "app:v1" }, func(string) string { return "m1" })
	if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, g := range list.Items {
		if meta.FindStatusCondition(g.Status.Conditions, "Audited") == nil {
			t.Errorf("Gizmo %s lost another writer's condition: %v", g.Name, g.Status.Conditions)
		}
	}
	if log := p.logText(); strings.Contains(log, "panic") {
		t.Errorf("the operator's log mentions a panic:\n%s", log)
	}
	quiet(t, p, 15*time.Second)
}

// workers is the number of concurrent reconciles of the fault test's
// operator: OKT_TEST_WORKERS, 8 by default, as the scaffold sets it. Measured
// on 2 cores with the faults above: 1 worker, 0/100 Ready after the minute
// of faults; 4, 100/100 after 50 s; 8, 100/100 after 25 s.
func workers() string {
	if w := strings.TrimSpace(getenv("OKT_TEST_WORKERS")); w != "" {
		return w
	}
	return fmt.Sprint(8)
}
