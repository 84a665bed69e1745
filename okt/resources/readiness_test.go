package resources_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
)

func deployment(gen int64, replicas *int32, st appsv1.DeploymentStatus) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "d", Generation: gen},
		Spec:       appsv1.DeploymentSpec{Replicas: replicas},
		Status:     st,
	}
}

func statefulSet(gen int64, replicas *int32, st appsv1.StatefulSetStatus) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "s", Generation: gen},
		Spec:       appsv1.StatefulSetSpec{Replicas: replicas},
		Status:     st,
	}
}

func daemonSet(gen int64, st appsv1.DaemonSetStatus) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", Generation: gen}, Status: st}
}

func job(conds ...batchv1.JobCondition) *batchv1.Job {
	return &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Status: batchv1.JobStatus{Conditions: conds}}
}

func pvc(phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Status: corev1.PersistentVolumeClaimStatus{Phase: phase}}
}

func prog(msg string) resources.Readiness {
	return resources.Readiness{State: resources.Progressing, Message: msg}
}

// rolledOut are the conditions of a Deployment whose rollout is done.
var rolledOut = []appsv1.DeploymentCondition{
	{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
	{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
}

func onDelete(s *appsv1.StatefulSet) *appsv1.StatefulSet {
	s.Spec.UpdateStrategy.Type = appsv1.OnDeleteStatefulSetStrategyType
	return s
}

func partitioned(p int32, s *appsv1.StatefulSet) *appsv1.StatefulSet {
	s.Spec.UpdateStrategy = appsv1.StatefulSetUpdateStrategy{
		Type: appsv1.RollingUpdateStatefulSetStrategyType, RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: &p},
	}
	return s
}

func TestReadinessOf(t *testing.T) {
	ready := resources.Readiness{State: resources.IsReady}
	tests := []struct {
		name string
		obj  client.Object
		want resources.Readiness
	}{
		{"nil", nil, prog("does not exist")},
		{"nil Deployment", (*appsv1.Deployment)(nil), prog("does not exist")},
		{"nil StatefulSet", (*appsv1.StatefulSet)(nil), prog("does not exist")},
		{"nil DaemonSet", (*appsv1.DaemonSet)(nil), prog("does not exist")},
		{"nil ReplicaSet", (*appsv1.ReplicaSet)(nil), prog("does not exist")},
		{"nil Pod", (*corev1.Pod)(nil), prog("does not exist")},
		{"nil Job", (*batchv1.Job)(nil), prog("does not exist")},
		{"nil PVC", (*corev1.PersistentVolumeClaim)(nil), prog("does not exist")},
		{"nil ConfigMap", (*corev1.ConfigMap)(nil), prog("does not exist")},
		{"nil ServiceAccount", (*corev1.ServiceAccount)(nil), prog("does not exist")},
		{"nil unstructured", (*unstructured.Unstructured)(nil), prog("does not exist")},
		{"nil HorizontalPodAutoscaler", (*autoscalingv2.HorizontalPodAutoscaler)(nil), prog("does not exist")},
		{"other kind exists", &corev1.ConfigMap{}, ready},
		{"kind without status being deleted", &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &metav1.Time{}}}, prog("being deleted")},

		{"Deployment rolled out", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3, ReadyReplicas: 3, Conditions: rolledOut,
		}), ready},
		{"Deployment default 1 replica", deployment(1, nil, appsv1.DeploymentStatus{
			ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1, ReadyReplicas: 1, Conditions: rolledOut,
		}), ready},
		{"Deployment scaled to 0", deployment(1, ptr.To[int32](0), appsv1.DeploymentStatus{ObservedGeneration: 1, Conditions: rolledOut}), ready},
		// kstatus: no Available condition yet (the controller sets it even at 0 replicas).
		{"Deployment scaled to 0, no conditions yet", deployment(1, ptr.To[int32](0), appsv1.DeploymentStatus{ObservedGeneration: 1}),
			prog("Available condition not True yet")},
		{"Deployment not observed", deployment(3, ptr.To[int32](1), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
		}), prog("rollout not observed yet")},
		{"Deployment created, no status", deployment(1, ptr.To[int32](3), appsv1.DeploymentStatus{}), prog("0/3 replicas created")},
		{"Deployment updating", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 4, UpdatedReplicas: 1, AvailableReplicas: 3,
		}), prog("1/3 replicas updated")},
		{"Deployment not available", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2,
		}), prog("2/3 replicas available")},
		{"Deployment none available", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3,
		}), prog("0/3 replicas available")},
		{"Deployment available, not ready", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3, ReadyReplicas: 1, Conditions: rolledOut,
		}), prog("1/3 replicas ready")},
		{"Deployment past its progress deadline", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}},
		}), resources.Readiness{State: resources.Failed, Reason: "ProgressDeadlineExceeded",
			Message: "rollout exceeded its progress deadline (1/3 replicas available)"}},
		{"Deployment with old replicas still terminating", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 4, UpdatedReplicas: 3, AvailableReplicas: 3,
		}), prog("1 old replica(s) pending termination")},
		{"Deployment with a progress deadline, new ReplicaSet not available yet", func() *appsv1.Deployment {
			d := deployment(2, ptr.To[int32](1), appsv1.DeploymentStatus{
				ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1, ReadyReplicas: 1,
				Conditions: []appsv1.DeploymentCondition{
					{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue},
					{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "ReplicaSetUpdated"},
				},
			})
			d.Spec.ProgressDeadlineSeconds = ptr.To[int32](600)
			return d
		}(), prog("new replica set not reported available yet (ReplicaSetUpdated)")},
		{"Deployment being deleted", func() *appsv1.Deployment {
			d := deployment(1, nil, appsv1.DeploymentStatus{})
			d.DeletionTimestamp = &metav1.Time{}
			return d
		}(), prog("being deleted")},
		{"Deployment with a Stalled condition", deployment(1, nil, appsv1.DeploymentStatus{
			Conditions: []appsv1.DeploymentCondition{{Type: "Stalled", Status: corev1.ConditionTrue, Reason: "QuotaExceeded", Message: "no room"}},
		}), resources.Readiness{State: resources.Failed, Reason: "QuotaExceeded", Message: "stalled (QuotaExceeded): no room"}},

		{"StatefulSet rolled out", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2, CurrentReplicas: 2,
		}), ready},
		{"StatefulSet default 1 replica", statefulSet(1, nil, appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1, CurrentReplicas: 1,
		}), ready},
		// kstatus does not read availableReplicas for a StatefulSet.
		{"StatefulSet ready, not available yet (minReadySeconds)", partitioned(0, statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 1,
		})), ready},
		{"StatefulSet not observed", statefulSet(2, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, UpdatedReplicas: 2, ReadyReplicas: 2,
		}), prog("rollout not observed yet")},
		{"StatefulSet updating", partitioned(0, statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 1, ReadyReplicas: 2,
		})), prog("1/2 replicas updated")},
		{"StatefulSet partition rollout done", partitioned(1, statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 1, ReadyReplicas: 2, CurrentRevision: "s-1", UpdateRevision: "s-2",
		})), ready},
		{"StatefulSet not ready", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 0,
		}), prog("0/2 replicas ready")},
		{"StatefulSet rolled out, update revision not current yet", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2, CurrentReplicas: 2,
			CurrentRevision: "s-1", UpdateRevision: "s-2",
		}), prog("rollout to revision s-2 in progress")},
		{"StatefulSet scaled down, a replica left", statefulSet(1, ptr.To[int32](1), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
		}), prog("1 extra replica(s) pending termination")},
		{"StatefulSet OnDelete, ready, old revision", onDelete(statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, ReadyReplicas: 2, CurrentRevision: "s-1", UpdateRevision: "s-2",
		})), ready},
		{"StatefulSet OnDelete, not ready", onDelete(statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, ReadyReplicas: 1,
		})), prog("1/2 replicas ready")},
		{"StatefulSet OnDelete, not observed", onDelete(statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{})),
			prog("rollout not observed yet")},

		{"DaemonSet rolled out", daemonSet(1, appsv1.DaemonSetStatus{
			ObservedGeneration: 1, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3, NumberReady: 3,
		}), ready},
		{"DaemonSet on no node", daemonSet(1, appsv1.DaemonSetStatus{ObservedGeneration: 1}), ready},
		{"DaemonSet not observed", daemonSet(2, appsv1.DaemonSetStatus{ObservedGeneration: 1}), prog("rollout not observed yet")},
		{"DaemonSet without observedGeneration", daemonSet(1, appsv1.DaemonSetStatus{}), prog("rollout not observed yet")},
		{"DaemonSet updating", daemonSet(1, appsv1.DaemonSetStatus{
			ObservedGeneration: 1, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 2, NumberAvailable: 3, NumberReady: 3,
		}), prog("2/3 pods updated")},
		{"DaemonSet not available", daemonSet(1, appsv1.DaemonSetStatus{
			ObservedGeneration: 1, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 1, NumberReady: 1,
		}), prog("1/3 pods available")},

		{"Job complete", job(batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}), ready},
		{"Job complete after other conditions", job(
			batchv1.JobCondition{Type: batchv1.JobSuspended, Status: corev1.ConditionFalse},
			batchv1.JobCondition{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue},
			batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionTrue},
		), ready},
		{"Job running", job(), prog("0/1 completions")},
		{"Job with 2 completions, 1 done", &batchv1.Job{Spec: batchv1.JobSpec{Completions: ptr.To[int32](2)}, Status: batchv1.JobStatus{Succeeded: 1}}, prog("1/2 completions")},
		{"Job complete condition false", job(batchv1.JobCondition{Type: batchv1.JobComplete, Status: corev1.ConditionFalse}), prog("0/1 completions")},
		{"Job suspended", job(batchv1.JobCondition{Type: batchv1.JobSuspended, Status: corev1.ConditionTrue}), prog("suspended (0/1 completions)")},
		{"Job failed", job(batchv1.JobCondition{
			Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Message: "BackoffLimitExceeded",
		}), resources.Readiness{State: resources.Failed, Reason: "JobFailed", Message: "failed: BackoffLimitExceeded"}},

		{"PVC bound", pvc(corev1.ClaimBound), ready},
		{"PVC pending", pvc(corev1.ClaimPending), prog("claim Pending, not Bound")},
		{"PVC lost", pvc(corev1.ClaimLost), prog("claim Lost, not Bound")},
		{"PVC without status", pvc(""), prog("claim Pending, not Bound")},

		{"Pod crash-looping", &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{
			{Name: "a", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}},
			{Name: "b", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
			{Name: "c", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}},
		}}}, resources.Readiness{State: resources.Failed, Reason: "ContainerCrashLooping", Message: "container(s) in CrashLoopBackOff: a, c"}},
		{"Pod failed, a container exited in error", &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed, ContainerStatuses: []corev1.ContainerStatus{
			{Name: "a", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2}}},
		}}}, resources.Readiness{State: resources.Failed, Reason: "PodFailed", Message: "failed: container a exited with code 2"}},

		{"Service LoadBalancer, no cluster IP", &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}}, prog("no cluster IP assigned yet")},
		{"Service", &corev1.Service{Spec: corev1.ServiceSpec{ClusterIP: "10.0.0.1"}}, ready},

		{"typed custom resource, Ready False", &widget{
			ObjectMeta: metav1.ObjectMeta{Generation: 2},
			Status: widgetStatus{ObservedGeneration: 2, Conditions: []metav1.Condition{
				{Type: "Ready", Status: metav1.ConditionFalse, Reason: "Progressing", Message: "Deployment w: 0/1 replicas available"},
			}},
		}, prog("not Ready (Progressing): Deployment w: 0/1 replicas available")},
		{"typed custom resource, Ready True", &widget{Status: widgetStatus{Conditions: []metav1.Condition{
			{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Succeeded"},
		}}}, ready},
		{"typed custom resource, old observedGeneration", &widget{
			ObjectMeta: metav1.ObjectMeta{Generation: 3},
			Status:     widgetStatus{ObservedGeneration: 2},
		}, prog("generation 3 not observed yet (status at 2)")},
		{"typed custom resource, Ready True for an older generation", &widget{
			ObjectMeta: metav1.ObjectMeta{Generation: 3},
			Status: widgetStatus{Conditions: []metav1.Condition{
				{Type: "Ready", Status: metav1.ConditionTrue, Reason: "Succeeded", ObservedGeneration: 2},
			}},
		}, prog("generation 3 not observed yet (Ready condition at 2)")},
		{"HorizontalPodAutoscaler, Stalled", &autoscalingv2.HorizontalPodAutoscaler{Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{Type: "Stalled", Status: corev1.ConditionTrue}},
		}}, resources.Readiness{State: resources.Failed, Reason: "Stalled", Message: "stalled"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := resources.ReadinessOf(tc.obj)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReadinessOf() (-want +got):\n%s", diff)
			}
			ok, msg := resources.Ready(tc.obj)
			if ok != got.Ready() || msg != got.Message {
				t.Errorf("Ready() = %v, %q; want %v, %q", ok, msg, got.Ready(), got.Message)
			}
		})
	}
}

// widget is a custom resource with a Go type of its own, unknown to okt and
// to the client-go scheme.
type widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Status            widgetStatus `json:"status,omitempty"`
}

type widgetStatus struct {
	ObservedGeneration int64              `json:"observedGeneration,omitempty"`
	Conditions         []metav1.Condition `json:"conditions,omitempty"`
}

func (w *widget) DeepCopyObject() runtime.Object {
	c := *w
	w.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	c.Status.Conditions = append([]metav1.Condition(nil), w.Status.Conditions...)
	return &c
}

// TestReadinessOfPodScheduleWindow: a Pod unschedulable is Progressing for
// kstatus' schedule window after its creation, then Failed.
func TestReadinessOfPodScheduleWindow(t *testing.T) {
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created)},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/1 nodes are available",
		}}},
	}
	for _, tc := range []struct {
		after time.Duration
		want  resources.Readiness
	}{
		{0, prog("not scheduled yet")},
		{status.ScheduleWindow - time.Second, prog("not scheduled yet")},
		{status.ScheduleWindow, resources.Readiness{State: resources.Failed, Reason: "PodUnschedulable", Message: "unschedulable: 0/1 nodes are available"}},
		{time.Hour, resources.Readiness{State: resources.Failed, Reason: "PodUnschedulable", Message: "unschedulable: 0/1 nodes are available"}},
	} {
		resources.SetReadinessClock(t, created.Add(tc.after))
		if got := resources.ReadinessOf(pod); got != tc.want {
			t.Errorf("%v after creation: %+v, want %+v", tc.after, got, tc.want)
		}
	}
}
