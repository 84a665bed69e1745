package cluster_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/okt-dev/okt/okt/cluster"
	"github.com/okt-dev/okt/okt/internal/testenv"
)

// statefulSetBound is how long a StatefulSet of 2 replicas with a claim
// each may take to be Ready here: a few seconds on an idle machine. A
// bound, never a timed assertion: a StatefulSet that needs it is stuck, and
// the test then says where (Pods, claims, events, the scheduler's log).
const statefulSetBound = 2 * time.Minute

// TestStatefulSetsWithClaims brings up StatefulSets of 2 replicas, each with
// a volume claim template, at the same time: each Pod waits for its claim's
// volume (the provisioner), the binding (kube-controller-manager), the
// scheduler and kwok, and the second Pod for the first. The local cluster's
// tests once waited 3 minutes on "1/2 replicas ready" under load
// (make test-stress runs this test with every CPU busy); the report names
// the slowest StatefulSet, and a stuck one fails with the state of its Pods.
func TestStatefulSetsWithClaims(t *testing.T) {
	c := startCluster(t, cluster.Options{})
	cs := kubernetes.NewForConfigOrDie(c.Config())
	ctx := context.Background()
	const n = 10
	ns := "sts-claims"
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range n {
		if _, err := cs.AppsV1().StatefulSets(ns).Create(ctx, statefulSetWithClaim(ns, fmt.Sprintf("db%d", i)), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu    sync.Mutex
		took  = map[string]time.Duration{}
		stuck []string
		wg    sync.WaitGroup
	)
	for i := range n {
		name := fmt.Sprintf("db%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, statefulSetBound)
			defer cancel()
			for {
				sts, err := cs.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
				if err == nil && sts.Status.ReadyReplicas == 2 && sts.Status.ObservedGeneration == sts.Generation {
					mu.Lock()
					took[name] = time.Since(start)
					mu.Unlock()
					return
				}
				select {
				case <-ctx.Done():
					mu.Lock()
					stuck = append(stuck, name)
					mu.Unlock()
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		}()
	}
	wg.Wait()
	slowest, slowestName := time.Duration(0), ""
	for name, d := range took {
		if d > slowest {
			slowest, slowestName = d, name
		}
	}
	t.Logf("%d StatefulSets of 2 replicas with a claim each: %d Ready, the last (%s) %.1f s after creation",
		n, len(took), slowestName, slowest.Seconds())
	if len(stuck) == 0 {
		return
	}
	sort.Strings(stuck)
	t.Errorf("not Ready within %v: %v\n%s", statefulSetBound, stuck, testenv.DescribeStuck(ctx, cs, ns, c.LogDir()))
}

func statefulSetWithClaim(ns, name string) *appsv1.StatefulSet {
	labels := map[string]string{"app": name}
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To[int32](2),
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: labels},
			Template:    podTemplate(labels),
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse("1Gi"),
					}},
				},
			}},
		},
	}
	sts.Spec.Template.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	return sts
}
