package resources

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ReadinessState is where an object stands on its way to ready.
type ReadinessState int

const (
	// Progressing: not ready yet, and nothing says it will not get there.
	Progressing ReadinessState = iota
	// IsReady: the object does what it is for (rolled out, complete, bound).
	IsReady
	// Failed: the object will not get ready without a change (a failed Job, a
	// rollout past its progress deadline).
	Failed
)

func (s ReadinessState) String() string {
	switch s {
	case IsReady:
		return "Ready"
	case Failed:
		return "Failed"
	}
	return "Progressing"
}

// Readiness is the readiness of a live object, read from its status.
type Readiness struct {
	State ReadinessState
	// Reason is a CamelCase reason for a Failed object ("JobFailed",
	// "ProgressDeadlineExceeded"), empty otherwise.
	Reason string
	// Message says what is awaited or what failed, without the object's kind
	// and name, for example "1/3 replicas available". It is stable: the same
	// status gives the same message.
	Message string
}

// Ready reports whether the state is IsReady.
func (r Readiness) Ready() bool { return r.State == IsReady }

// ReadinessFunc computes the readiness of a live object of a kind the
// operator knows; okt calls it only with an object that exists.
type ReadinessFunc func(live client.Object) Readiness

// WithReadiness teaches okt the readiness of an object: fn replaces
// ReadinessOf for this resource.
func WithReadiness(fn ReadinessFunc) Option { return func(o *options) { o.readiness = fn } }

// ReadinessReporter is a resource that knows the readiness of its live
// object. Resources built by New and NewMutable implement it.
type ReadinessReporter interface {
	Readiness() Readiness
}

// Readiness returns the readiness of the live object: from WithReadiness if
// given, else ReadinessOf. An object that does not exist is Progressing.
func (o *Object[O]) Readiness() Readiness {
	if !o.exists {
		return Readiness{State: Progressing, Message: "not created yet"}
	}
	if o.opts.readiness != nil {
		return o.opts.readiness(o.live)
	}
	return ReadinessOf(o.live)
}

func progressing(format string, args ...any) Readiness {
	return Readiness{State: Progressing, Message: fmt.Sprintf(format, args...)}
}

var ready = Readiness{State: IsReady}

// ReadinessOf returns the readiness of a live object from its status, with
// its observedGeneration checked against its generation. It knows:
//   - Deployment: rolled out (every replica updated and available, no old
//     replica left); Failed past its progress deadline;
//   - StatefulSet: every replica updated and ready, the update revision
//     current;
//   - DaemonSet: every scheduled pod updated and available;
//   - Job: complete; Failed when it failed;
//   - PersistentVolumeClaim: bound.
//
// Any other object is ready as soon as it exists. A nil object is
// Progressing ("does not exist").
func ReadinessOf(obj client.Object) Readiness {
	switch o := obj.(type) {
	case nil:
		return progressing("does not exist")
	case *appsv1.Deployment:
		if o == nil {
			return progressing("does not exist")
		}
		return deploymentReadiness(o)
	case *appsv1.StatefulSet:
		if o == nil {
			return progressing("does not exist")
		}
		return statefulSetReadiness(o)
	case *appsv1.DaemonSet:
		if o == nil {
			return progressing("does not exist")
		}
		s := o.Status
		switch {
		case s.ObservedGeneration < o.Generation:
			return progressing("rollout not observed yet")
		case s.UpdatedNumberScheduled < s.DesiredNumberScheduled:
			return progressing("%d/%d pods updated", s.UpdatedNumberScheduled, s.DesiredNumberScheduled)
		case s.NumberAvailable < s.DesiredNumberScheduled:
			return progressing("%d/%d pods available", s.NumberAvailable, s.DesiredNumberScheduled)
		}
	case *batchv1.Job:
		if o == nil {
			return progressing("does not exist")
		}
		for _, c := range o.Status.Conditions {
			if c.Status != corev1.ConditionTrue {
				continue
			}
			switch c.Type {
			case batchv1.JobComplete:
				return ready
			case batchv1.JobFailed:
				msg := "failed"
				if c.Reason != "" {
					msg += " (" + c.Reason + ")"
				}
				if c.Message != "" {
					msg += ": " + c.Message
				}
				return Readiness{State: Failed, Reason: "JobFailed", Message: msg}
			}
		}
		want := int32(1)
		if o.Spec.Completions != nil {
			want = *o.Spec.Completions
		}
		return progressing("%d/%d completions", o.Status.Succeeded, want)
	case *corev1.PersistentVolumeClaim:
		if o == nil {
			return progressing("does not exist")
		}
		if o.Status.Phase != corev1.ClaimBound {
			phase := o.Status.Phase
			if phase == "" {
				phase = corev1.ClaimPending
			}
			return progressing("claim %s, not Bound", phase)
		}
	}
	return ready
}

func deploymentReadiness(o *appsv1.Deployment) Readiness {
	want := replicas(o.Spec.Replicas)
	s := o.Status
	if s.ObservedGeneration < o.Generation {
		return progressing("rollout not observed yet")
	}
	for _, c := range s.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			return Readiness{State: Failed, Reason: "ProgressDeadlineExceeded",
				Message: fmt.Sprintf("rollout exceeded its progress deadline (%d/%d replicas available)", s.AvailableReplicas, want)}
		}
	}
	switch {
	case s.UpdatedReplicas < want:
		return progressing("%d/%d replicas updated", s.UpdatedReplicas, want)
	case s.Replicas > s.UpdatedReplicas:
		// As kubectl rollout status: old pods still count as available.
		return progressing("%d old replica(s) pending termination", s.Replicas-s.UpdatedReplicas)
	case s.AvailableReplicas < want:
		return progressing("%d/%d replicas available", s.AvailableReplicas, want)
	}
	return ready
}

func statefulSetReadiness(o *appsv1.StatefulSet) Readiness {
	want := replicas(o.Spec.Replicas)
	s := o.Status
	switch {
	case s.ObservedGeneration < o.Generation:
		return progressing("rollout not observed yet")
	case s.UpdatedReplicas < want && partition(o) == 0:
		return progressing("%d/%d replicas updated", s.UpdatedReplicas, want)
	case s.ReadyReplicas < want:
		return progressing("%d/%d replicas ready", s.ReadyReplicas, want)
	case s.AvailableReplicas < want:
		return progressing("%d/%d replicas available", s.AvailableReplicas, want)
	case s.Replicas > want:
		return progressing("%d extra replica(s) pending termination", s.Replicas-want)
	case partition(o) == 0 && o.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType &&
		s.UpdateRevision != "" && s.CurrentRevision != s.UpdateRevision:
		return progressing("rollout to revision %s in progress", s.UpdateRevision)
	}
	return ready
}

func partition(o *appsv1.StatefulSet) int32 {
	if ru := o.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return *ru.Partition
	}
	return 0
}

// Ready reports whether a live object is ready, and if not, why: see
// ReadinessOf.
func Ready(obj client.Object) (bool, string) {
	r := ReadinessOf(obj)
	return r.Ready(), r.Message
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
