package resources

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Ready reports whether a live object is ready, and if not, why. It knows
// Deployment and StatefulSet (rolled out: observed generation current, every
// replica updated and available), DaemonSet (every scheduled pod updated and
// available), Job (complete) and PersistentVolumeClaim (bound); any other
// object is ready as soon as it exists. A nil object is not ready.
func Ready(obj client.Object) (bool, string) {
	switch o := obj.(type) {
	case nil:
		return false, "does not exist"
	case *appsv1.Deployment:
		if o == nil {
			return false, "does not exist"
		}
		want := replicas(o.Spec.Replicas)
		s := o.Status
		switch {
		case s.ObservedGeneration < o.Generation:
			return false, "rollout not observed yet"
		case s.UpdatedReplicas < want:
			return false, fmt.Sprintf("%d of %d replicas updated", s.UpdatedReplicas, want)
		case s.Replicas > s.UpdatedReplicas:
			// As kubectl rollout status: old pods still count as available.
			return false, fmt.Sprintf("%d old replica(s) pending termination", s.Replicas-s.UpdatedReplicas)
		case s.AvailableReplicas < want:
			return false, fmt.Sprintf("%d of %d replicas available", s.AvailableReplicas, want)
		}
	case *appsv1.StatefulSet:
		if o == nil {
			return false, "does not exist"
		}
		want := replicas(o.Spec.Replicas)
		s := o.Status
		switch {
		case s.ObservedGeneration < o.Generation:
			return false, "rollout not observed yet"
		case s.UpdatedReplicas < want:
			return false, fmt.Sprintf("%d of %d replicas updated", s.UpdatedReplicas, want)
		case s.ReadyReplicas < want:
			return false, fmt.Sprintf("%d of %d replicas ready", s.ReadyReplicas, want)
		}
	case *appsv1.DaemonSet:
		if o == nil {
			return false, "does not exist"
		}
		s := o.Status
		switch {
		case s.ObservedGeneration < o.Generation:
			return false, "rollout not observed yet"
		case s.UpdatedNumberScheduled < s.DesiredNumberScheduled:
			return false, fmt.Sprintf("%d of %d pods updated", s.UpdatedNumberScheduled, s.DesiredNumberScheduled)
		case s.NumberAvailable < s.DesiredNumberScheduled:
			return false, fmt.Sprintf("%d of %d pods available", s.NumberAvailable, s.DesiredNumberScheduled)
		}
	case *batchv1.Job:
		if o == nil {
			return false, "does not exist"
		}
		for _, c := range o.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				return true, ""
			case batchv1.JobFailed:
				return false, "failed: " + c.Message
			}
		}
		return false, "not complete"
	case *corev1.PersistentVolumeClaim:
		if o == nil {
			return false, "does not exist"
		}
		if o.Status.Phase != corev1.ClaimBound {
			return false, fmt.Sprintf("phase %q, not Bound", o.Status.Phase)
		}
	}
	return true, ""
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
