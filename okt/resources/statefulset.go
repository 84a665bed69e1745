package resources

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// StatefulSetState is what an operator needs to know of a StatefulSet's pods
// to drive an application through a rollout, counted from the pods
// themselves rather than from the StatefulSet's (possibly stale) status.
type StatefulSetState struct {
	// Replicas is the desired number of pods (1 when unset, 0 for a nil
	// StatefulSet).
	Replicas int32
	// Ready, Running and Updated count the StatefulSet's pods that are Ready,
	// in phase Running, and at the update revision.
	Ready, Running, Updated int32
	// CurrentRevision and UpdateRevision are the StatefulSet's revisions; they
	// differ while a rollout is under way.
	CurrentRevision, UpdateRevision string
	// FirstNotReady is the ordinal of the first pod, in ordinal order from 0
	// to Replicas-1, that is missing or not Ready; -1 when all are Ready.
	FirstNotReady int32
	// Observed reports whether the controller has observed the StatefulSet's
	// current generation: when false, the revisions may be stale.
	Observed bool
}

// RollingOut reports whether a rollout is under way: the generation not
// observed yet, or pods not all at the update revision.
func (s StatefulSetState) RollingOut() bool {
	return !s.Observed || s.CurrentRevision != s.UpdateRevision || s.Updated < s.Replicas
}

// StatefulSetStateOf returns the state of sts from its pods (those it
// controls; others are ignored). It is nil-safe: a nil StatefulSet has no
// replicas.
func StatefulSetStateOf(sts *appsv1.StatefulSet, pods []corev1.Pod) StatefulSetState {
	st := StatefulSetState{FirstNotReady: -1}
	if sts == nil {
		return st
	}
	st.Replicas = replicas(sts.Spec.Replicas)
	st.CurrentRevision, st.UpdateRevision = sts.Status.CurrentRevision, sts.Status.UpdateRevision
	st.Observed = sts.Status.ObservedGeneration >= sts.Generation
	readyOrdinals := map[int32]bool{}
	for i := range pods {
		p := &pods[i]
		ordinal, ok := ordinalOf(sts, p)
		if !ok {
			continue
		}
		ready := podReady(p)
		if ready {
			st.Ready++
			readyOrdinals[ordinal] = true
		}
		if p.Status.Phase == corev1.PodRunning {
			st.Running++
		}
		if st.UpdateRevision != "" && p.Labels[appsv1.StatefulSetRevisionLabel] == st.UpdateRevision {
			st.Updated++
		}
	}
	for i := int32(0); i < st.Replicas; i++ {
		if !readyOrdinals[i] {
			st.FirstNotReady = i
			break
		}
	}
	return st
}

// StatefulSetPods lists the pods sts controls, in its namespace.
func StatefulSetPods(ctx context.Context, c client.Reader, sts *appsv1.StatefulSet) ([]corev1.Pod, error) {
	if sts == nil || sts.Spec.Selector == nil {
		return nil, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(sts.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("cannot read the selector of StatefulSet %s: %w", sts.Name, err)
	}
	var list corev1.PodList
	if err := c.List(ctx, &list, client.InNamespace(sts.Namespace), client.MatchingLabelsSelector{Selector: sel}); err != nil {
		return nil, fmt.Errorf("cannot list the pods of StatefulSet %s: %w", sts.Name, err)
	}
	return list.Items, nil
}

// ordinalOf returns the ordinal of a pod of sts ("<sts>-<n>"), and false for
// a pod sts does not control.
func ordinalOf(sts *appsv1.StatefulSet, p *corev1.Pod) (int32, bool) {
	if ref := metav1.GetControllerOfNoCopy(p); ref == nil || (sts.UID != "" && ref.UID != sts.UID) {
		return 0, false
	}
	rest, ok := strings.CutPrefix(p.Name, sts.Name+"-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 32)
	if err != nil || n < 0 {
		return 0, false
	}
	return int32(n), true
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
