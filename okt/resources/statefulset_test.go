package resources_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/okt-dev/okt/okt/resources"
)

func stsPod(name string, owner types.UID, phase corev1.PodPhase, ready bool, revision string) corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{appsv1.StatefulSetRevisionLabel: revision},
			OwnerReferences: []metav1.OwnerReference{{Kind: "StatefulSet", Name: "db", UID: owner, Controller: ptr.To(true)}}},
		Status: corev1.PodStatus{Phase: phase, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func TestStatefulSetStateOf(t *testing.T) {
	sts := func(gen, observed int64, replicas *int32, current, update string) *appsv1.StatefulSet {
		return &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: "db", UID: "db-uid", Generation: gen},
			Spec:       appsv1.StatefulSetSpec{Replicas: replicas},
			Status:     appsv1.StatefulSetStatus{ObservedGeneration: observed, CurrentRevision: current, UpdateRevision: update},
		}
	}
	for _, tc := range []struct {
		name string
		sts  *appsv1.StatefulSet
		pods []corev1.Pod
		want resources.StatefulSetState
	}{
		{"nil", nil, nil, resources.StatefulSetState{FirstNotReady: -1}},
		{"nil replicas means one, no pod yet", sts(1, 1, nil, "r1", "r1"), nil,
			resources.StatefulSetState{Replicas: 1, CurrentRevision: "r1", UpdateRevision: "r1", FirstNotReady: 0, Observed: true}},
		{"all ready", sts(2, 2, ptr.To[int32](2), "r1", "r1"), []corev1.Pod{
			stsPod("db-0", "db-uid", corev1.PodRunning, true, "r1"),
			stsPod("db-1", "db-uid", corev1.PodRunning, true, "r1"),
		}, resources.StatefulSetState{Replicas: 2, Ready: 2, Running: 2, Updated: 2, CurrentRevision: "r1", UpdateRevision: "r1", FirstNotReady: -1, Observed: true}},
		{"rolling out: db-1 updated, not ready yet", sts(3, 3, ptr.To[int32](3), "r1", "r2"), []corev1.Pod{
			stsPod("db-0", "db-uid", corev1.PodRunning, true, "r1"),
			stsPod("db-2", "db-uid", corev1.PodRunning, true, "r2"),
			stsPod("db-1", "db-uid", corev1.PodPending, false, "r2"),
		}, resources.StatefulSetState{Replicas: 3, Ready: 2, Running: 2, Updated: 2, CurrentRevision: "r1", UpdateRevision: "r2", FirstNotReady: 1, Observed: true}},
		{"stale observedGeneration", sts(4, 3, ptr.To[int32](1), "r1", "r1"), []corev1.Pod{
			stsPod("db-0", "db-uid", corev1.PodRunning, true, "r1"),
		}, resources.StatefulSetState{Replicas: 1, Ready: 1, Running: 1, Updated: 1, CurrentRevision: "r1", UpdateRevision: "r1", FirstNotReady: -1, Observed: false}},
		{"pods of others and odd names ignored", sts(1, 1, ptr.To[int32](1), "r1", "r1"), []corev1.Pod{
			stsPod("db-0", "other-uid", corev1.PodRunning, true, "r1"),
			stsPod("db-x", "db-uid", corev1.PodRunning, true, "r1"),
			stsPod("dbx-0", "db-uid", corev1.PodRunning, true, "r1"),
		}, resources.StatefulSetState{Replicas: 1, CurrentRevision: "r1", UpdateRevision: "r1", FirstNotReady: 0, Observed: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resources.StatefulSetStateOf(tc.sts, tc.pods)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("StatefulSetStateOf() (-want +got):\n%s", diff)
			}
		})
	}
	if !(resources.StatefulSetState{Observed: true, CurrentRevision: "a", UpdateRevision: "b"}).RollingOut() {
		t.Error("revisions differ: RollingOut should be true")
	}
	if (resources.StatefulSetState{Observed: true, Replicas: 1, Updated: 1, CurrentRevision: "a", UpdateRevision: "a"}).RollingOut() {
		t.Error("all updated and current: RollingOut should be false")
	}
}
