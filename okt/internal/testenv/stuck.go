package testenv

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// maxLogLines bounds what DescribeStuck quotes of each component's log.
const maxLogLines = 40

// DescribeStuck says where the workloads of namespace ns stand, for a test
// that waited on them in vain: the Deployments, StatefulSets and
// DaemonSets with fewer ready replicas than wanted, the Pods not Running
// and Ready (with their conditions), the claims not Bound, the events that
// are not Normal, and the lines of the local cluster's component logs (in
// logDir; none if empty) that name one of those Pods or workloads. A flake
// of the local cluster is then diagnosed from the failed run's output.
func DescribeStuck(ctx context.Context, cs kubernetes.Interface, ns, logDir string) string {
	var b strings.Builder
	var names []string
	if list, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, d := range list.Items {
			if want := replicas(d.Spec.Replicas); d.Status.ReadyReplicas < want || d.Status.ObservedGeneration < d.Generation {
				names = append(names, d.Name)
				fmt.Fprintf(&b, "Deployment %s: %d/%d ready, %d updated, observedGeneration %d of %d\n", d.Name,
					d.Status.ReadyReplicas, want, d.Status.UpdatedReplicas, d.Status.ObservedGeneration, d.Generation)
			}
		}
	}
	if list, err := cs.AppsV1().StatefulSets(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, s := range list.Items {
			if want := replicas(s.Spec.Replicas); s.Status.ReadyReplicas < want || s.Status.ObservedGeneration < s.Generation {
				names = append(names, s.Name)
				fmt.Fprintf(&b, "StatefulSet %s: %d/%d ready, %d replicas, %d current, observedGeneration %d of %d\n", s.Name,
					s.Status.ReadyReplicas, want, s.Status.Replicas, s.Status.CurrentReplicas, s.Status.ObservedGeneration, s.Generation)
			}
		}
	}
	if list, err := cs.AppsV1().DaemonSets(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, d := range list.Items {
			if d.Status.NumberReady < d.Status.DesiredNumberScheduled || d.Status.ObservedGeneration < d.Generation {
				names = append(names, d.Name)
				fmt.Fprintf(&b, "DaemonSet %s: %d/%d ready, observedGeneration %d of %d\n", d.Name,
					d.Status.NumberReady, d.Status.DesiredNumberScheduled, d.Status.ObservedGeneration, d.Generation)
			}
		}
	}
	if pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for i := range pods.Items {
			p := &pods.Items[i]
			if PodReady(p) {
				continue
			}
			names = append(names, p.Name)
			fmt.Fprintf(&b, "Pod %s: phase %s, node %q, created %s\n", p.Name, p.Status.Phase, p.Spec.NodeName, p.CreationTimestamp.Format(time.RFC3339))
			for _, c := range p.Status.Conditions {
				fmt.Fprintf(&b, "    %s=%s %s %s (%s)\n", c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime.Format(time.RFC3339))
			}
		}
	}
	if claims, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, c := range claims.Items {
			if c.Status.Phase != corev1.ClaimBound {
				names = append(names, c.Name)
				fmt.Fprintf(&b, "claim %s: %s, volume %q, created %s\n", c.Name, c.Status.Phase, c.Spec.VolumeName, c.CreationTimestamp.Format(time.RFC3339))
			}
		}
	}
	if events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, e := range events.Items {
			if e.Type != corev1.EventTypeNormal {
				fmt.Fprintf(&b, "event %s %s/%s: %s %s (x%d, last %s)\n", e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name,
					e.Reason, e.Message, e.Count, e.LastTimestamp.Format(time.RFC3339))
			}
		}
	}
	if logDir == "" || len(names) == 0 {
		return b.String()
	}
	for _, component := range []string{"kube-scheduler", "kube-controller-manager", "kwok"} {
		quoteLog(&b, filepath.Join(logDir, component+".log"), component, names)
	}
	return b.String()
}

// quoteLog writes the first maxLogLines lines of the log file that name one
// of names, each prefixed with component.
func quoteLog(b *strings.Builder, file, component string, names []string) {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(b, "%s's log: %v\n", component, err)
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	lines := 0
	for s.Scan() && lines < maxLogLines {
		for _, name := range names {
			if strings.Contains(s.Text(), name) {
				fmt.Fprintf(b, "%s: %s\n", component, s.Text())
				lines++
				break
			}
		}
	}
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// PodReady reports whether p is Running and Ready, and not being deleted.
func PodReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
