package resources_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
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
		{"nil Job", (*batchv1.Job)(nil), prog("does not exist")},
		{"nil PVC", (*corev1.PersistentVolumeClaim)(nil), prog("does not exist")},
		{"other kind exists", &corev1.ConfigMap{}, ready},

		{"Deployment rolled out", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3, ReadyReplicas: 3,
		}), ready},
		{"Deployment default 1 replica", deployment(1, nil, appsv1.DeploymentStatus{
			ObservedGeneration: 1, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
		}), ready},
		{"Deployment scaled to 0", deployment(1, ptr.To[int32](0), appsv1.DeploymentStatus{ObservedGeneration: 1}), ready},
		{"Deployment not observed", deployment(3, ptr.To[int32](1), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
		}), prog("rollout not observed yet")},
		{"Deployment updating", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 4, UpdatedReplicas: 1, AvailableReplicas: 3,
		}), prog("1/3 replicas updated")},
		{"Deployment not available", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2,
		}), prog("2/3 replicas available")},
		{"Deployment past its progress deadline", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}},
		}), resources.Readiness{State: resources.Failed, Reason: "ProgressDeadlineExceeded",
			Message: "rollout exceeded its progress deadline (1/3 replicas available)"}},
		{"Deployment with old replicas still terminating", deployment(2, ptr.To[int32](3), appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 4, UpdatedReplicas: 3, AvailableReplicas: 3,
		}), prog("1 old replica(s) pending termination")},

		{"StatefulSet rolled out", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
		}), ready},
		{"StatefulSet default 1 replica", statefulSet(1, nil, appsv1.StatefulSetStatus{
			ObservedGeneration: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		}), ready},
		{"StatefulSet ready, not available yet (minReadySeconds)", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 1,
		}), prog("1/2 replicas available")},
		{"StatefulSet not observed", statefulSet(2, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, UpdatedReplicas: 2, ReadyReplicas: 2,
		}), prog("rollout not observed yet")},
		{"StatefulSet updating", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, UpdatedReplicas: 1, ReadyReplicas: 2,
		}), prog("1/2 replicas updated")},
		{"StatefulSet not ready", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, UpdatedReplicas: 2, ReadyReplicas: 0,
		}), prog("0/2 replicas ready")},

		{"StatefulSet rolled out, update revision not current yet", statefulSet(1, ptr.To[int32](2), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
			CurrentRevision: "s-1", UpdateRevision: "s-2",
		}), prog("rollout to revision s-2 in progress")},
		{"StatefulSet scaled down, a replica left", statefulSet(1, ptr.To[int32](1), appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: 2, UpdatedReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 2,
		}), prog("1 extra replica(s) pending termination")},

		{"DaemonSet rolled out", daemonSet(1, appsv1.DaemonSetStatus{
			ObservedGeneration: 1, DesiredNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 3,
		}), ready},
		{"DaemonSet on no node", daemonSet(1, appsv1.DaemonSetStatus{ObservedGeneration: 1}), ready},
		{"DaemonSet not observed", daemonSet(2, appsv1.DaemonSetStatus{ObservedGeneration: 1}), prog("rollout not observed yet")},
		{"DaemonSet updating", daemonSet(1, appsv1.DaemonSetStatus{
			ObservedGeneration: 1, DesiredNumberScheduled: 3, UpdatedNumberScheduled: 2, NumberAvailable: 3,
		}), prog("2/3 pods updated")},
		{"DaemonSet not available", daemonSet(1, appsv1.DaemonSetStatus{
			ObservedGeneration: 1, DesiredNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberAvailable: 1,
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
		{"Job failed", job(batchv1.JobCondition{
			Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Message: "BackoffLimitExceeded",
		}), resources.Readiness{State: resources.Failed, Reason: "JobFailed", Message: "failed: BackoffLimitExceeded"}},

		{"PVC bound", pvc(corev1.ClaimBound), ready},
		{"PVC pending", pvc(corev1.ClaimPending), prog("claim Pending, not Bound")},
		{"PVC lost", pvc(corev1.ClaimLost), prog("claim Lost, not Bound")},
		{"PVC without status", pvc(""), prog("claim Pending, not Bound")},
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
