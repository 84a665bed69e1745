package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/internal/testapi"
)

// TestCrash: issue 21, acceptance 1. The operator is killed (SIGKILL) while
// a third of 150 custom resources are Ready, and restarted; then killed
// again in the middle of a wave of spec changes on 50 of them, and
// restarted. After each restart every custom resource is Ready, owns each of
// its objects exactly once (no duplicate, no orphan), its inventory lists
// exactly its objects, the wave's values are on the live objects, and the
// operator sends no write in the 15 s after convergence.
func TestCrash(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	c := newClient(t)
	ns := newNamespace(t, c)
	const n = 150
	gizmos(t, c, ns, n)
	kc := kubeconfigOf(t)
	args := []string{"--workers", "4"}

	p := start(t, kc, args...)
	waitFor(t, "a third Ready", p, func() (bool, string) {
		r, total := readyCount(t, c, ns)
		return r >= n/3, fmt.Sprintf("%d/%d Ready", r, total)
	})
	r, _ := readyCount(t, c, ns)
	t.Logf("killing the operator with %d/%d Ready", r, n)
	p.kill()

	p = start(t, kc, args...)
	begin := time.Now()
	waitFor(t, "all Ready after the first restart", p, func() (bool, string) {
		r, total := readyCount(t, c, ns)
		return r == n, fmt.Sprintf("%d/%d Ready", r, total)
	})
	t.Logf("all %d Ready %.1fs after the restart", n, time.Since(begin).Seconds())
	v1 := func(string) string { return "app:v1" }
	m1 := func(string) string { return "m1" }
	owned(t, c, ns, v1, m1)
	quiet(t, p, 15*time.Second)

	// A wave of spec changes on 50 of them, killed in its middle.
	changed := map[string]bool{}
	for i := range 50 {
		name := fmt.Sprintf("gizmo-%03d", i*3)
		g := &testapi.Gizmo{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, g); err != nil {
			t.Fatal(err)
		}
		g.Spec.Image, g.Spec.Message = "app:v2", "m2"
		if err := c.Update(ctx, g); err != nil {
			t.Fatal(err)
		}
		changed[name] = true
	}
	waitFor(t, "the wave under way", p, func() (bool, string) {
		deps := &appsv1.DeploymentList{}
		if err := c.List(ctx, deps, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		v2 := 0
		for _, d := range deps.Items {
			if d.Spec.Template.Spec.Containers[0].Image == "app:v2" {
				v2++
			}
		}
		return v2 >= 10, fmt.Sprintf("%d Deployments on app:v2", v2)
	})
	t.Log("killing the operator in the middle of the wave")
	p.kill()

	p = start(t, kc, args...)
	begin = time.Now()
	waitFor(t, "all Ready after the second restart", p, func() (bool, string) {
		r, total := readyCount(t, c, ns)
		return r == n, fmt.Sprintf("%d/%d Ready", r, total)
	})
	t.Logf("all %d Ready %.1fs after the second restart", n, time.Since(begin).Seconds())
	image := func(name string) string {
		if changed[name] {
			return "app:v2"
		}
		return "app:v1"
	}
	message := func(name string) string {
		if changed[name] {
			return "m2"
		}
		return "m1"
	}
	owned(t, c, ns, image, message)
	quiet(t, p, 15*time.Second)
}
