package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestLeaderFailover: issue 21, acceptance 3. Two operator processes with
// leader election; the leader is killed in the middle of the rollout of 60
// custom resources; the other takes over within the lease duration plus one
// renew period, and finishes: every custom resource Ready, each object
// written by one field manager (no conflicting writers), none duplicated.
func TestLeaderFailover(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	c := newClient(t)
	ns := newNamespace(t, c)
	const (
		n     = 60
		lease = 6 * time.Second
		renew = 4 * time.Second
		retry = time.Second
	)
	kc := kubeconfigOf(t)
	args := []string{"--leader-elect", "--lease-duration", lease.String(), "--renew-deadline", renew.String(), "--retry-period", retry.String(), "--workers", "2"}
	a := start(t, kc, append(args, "--id", "a")...)
	b := start(t, kc, append(args, "--id", "b")...)
	leader := func() *proc {
		for _, p := range []*proc{a, b} {
			if p.metric("leader_election_master_status") == 1 {
				return p
			}
		}
		return nil
	}
	waitFor(t, "a leader", nil, func() (bool, string) { return leader() != nil, "no process leads" })
	first := leader()
	other := b
	if first == b {
		other = a
	}
	gizmos(t, c, ns, n)
	waitFor(t, "the rollout under way", first, func() (bool, string) {
		r, total := readyCount(t, c, ns)
		return r >= 10, fmt.Sprintf("%d/%d Ready", r, total)
	})
	r, _ := readyCount(t, c, ns)
	t.Logf("killing the leader with %d/%d Ready", r, n)
	killed := time.Now()
	first.kill()
	waitFor(t, "the other process leads", other, func() (bool, string) {
		return other.metric("leader_election_master_status") == 1, "not leading yet"
	})
	takeover := time.Since(killed)
	t.Logf("the other process took over %.1fs after the kill (lease %s, renew deadline %s, retry period %s)", takeover.Seconds(), lease, renew, retry)
	// The poll adds up to 100 ms.
	if takeover > lease+renew+100*time.Millisecond {
		t.Errorf("takeover after %s, want within the lease duration plus one renew period (%s)", takeover, lease+renew)
	}
	waitFor(t, "all Ready", other, func() (bool, string) {
		r, total := readyCount(t, c, ns)
		return r == n, fmt.Sprintf("%d/%d Ready", r, total)
	})
	owned(t, c, ns, func(string) string { return "app:v1" }, func(string) string { return "m1" })
	// One writer per object: okt's field manager, whichever process wrote.
	deps := &appsv1.DeploymentList{}
	cms := &corev1.ConfigMapList{}
	for _, l := range []client.ObjectList{deps, cms} {
		if err := c.List(ctx, l, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
	}
	var objs []metav1.Object
	for i := range deps.Items {
		objs = append(objs, &deps.Items[i])
	}
	for i := range cms.Items {
		if cms.Items[i].Name != "kube-root-ca.crt" {
			objs = append(objs, &cms.Items[i])
		}
	}
	for _, o := range objs {
		appliers := 0
		for _, e := range o.GetManagedFields() {
			if e.Operation == metav1.ManagedFieldsOperationApply {
				appliers++
				if e.Manager != "okt-gizmo" {
					t.Errorf("%s: applied by %q", o.GetName(), e.Manager)
				}
			}
		}
		if appliers != 1 {
			t.Errorf("%s: %d apply entries, want okt's one", o.GetName(), appliers)
		}
	}
	quiet(t, other, 15*time.Second)
}
