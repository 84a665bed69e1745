package resources

import (
	"fmt"
	"math"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// The rules of the kinds okt knows as Go types. Each agrees with kstatus'
// rule for its kind (the table test in readiness_table_test.go compares them
// on the same live states), except for the exceptions listed there and in
// docs/readiness.md. A field the API server leaves out when it is zero
// (observedGeneration, generation, a nil pointer) reads as absent, as kstatus
// reads it from the unstructured object.

// unobserved reports whether the status was written for another generation
// than the object's: kstatus compares them only when both are present.
func unobserved(generation, observed int64) bool {
	return generation != 0 && observed != 0 && generation != observed
}

func generationNotObserved(generation, observed int64) Readiness {
	return progressing("generation %d not observed yet (status at %d)", generation, observed)
}

var rolloutNotObserved = waiting("rollout not observed yet")

// describe formats a condition for a message: "what (Reason): message",
// leaving out what is empty.
func describe(what, reason, message string) string {
	if reason != "" {
		what += " (" + reason + ")"
	}
	if message != "" {
		what += ": " + message
	}
	return what
}

// standard applies the conditions every kind may carry: Reconciling=True is
// Progressing, Stalled=True is Failed with the condition's reason. get reads
// a condition's type, status, reason and message.
func standard[C any](conds []C, get func(*C) (string, string, string, string)) (Readiness, bool) {
	for i := range conds {
		typ, st, reason, msg := get(&conds[i])
		if st != string(corev1.ConditionTrue) {
			continue
		}
		switch typ {
		case string(status.ConditionReconciling):
			return waiting(describe("reconciling", reason, msg)), true
		case string(status.ConditionStalled):
			return failure(reason, describe("stalled", reason, msg)), true
		}
	}
	return Readiness{}, false
}

func metaCond(c *metav1.Condition) (string, string, string, string) {
	return c.Type, string(c.Status), c.Reason, c.Message
}

func deploymentCond(c *appsv1.DeploymentCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func statefulSetCond(c *appsv1.StatefulSetCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func daemonSetCond(c *appsv1.DaemonSetCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func replicaSetCond(c *appsv1.ReplicaSetCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func podCond(c *corev1.PodCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func pvcCond(c *corev1.PersistentVolumeClaimCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func jobCond(c *batchv1.JobCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

func crdCond(c *apiextensionsv1.CustomResourceDefinitionCondition) (string, string, string, string) {
	return string(c.Type), string(c.Status), c.Reason, c.Message
}

// deploymentReadiness: every wanted replica created, updated, available and
// ready, no extra one left, the Available condition True and, when the
// Deployment has a progress deadline, its Progressing condition True with
// reason NewReplicaSetAvailable. Past its progress deadline it is Failed.
func deploymentReadiness(o *appsv1.Deployment) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	s := &o.Status
	if unobserved(o.Generation, s.ObservedGeneration) {
		return rolloutNotObserved
	}
	if r, ok := standard(s.Conditions, deploymentCond); ok {
		return r
	}
	want := replicas(o.Spec.Replicas)
	// Without a progress deadline (or with the largest one, which the
	// controller treats as none) there is no Progressing condition to wait for.
	rolledOut := o.Spec.ProgressDeadlineSeconds == nil || *o.Spec.ProgressDeadlineSeconds == math.MaxInt32
	available := false
	var progressingReason, availableReason string
	for i := range s.Conditions {
		c := &s.Conditions[i]
		switch c.Type {
		case appsv1.DeploymentProgressing:
			if c.Reason == "ProgressDeadlineExceeded" {
				return Readiness{State: Failed, Reason: "ProgressDeadlineExceeded",
					Message: fmt.Sprintf("rollout exceeded its progress deadline (%d/%d replicas available)", s.AvailableReplicas, want)}
			}
			if c.Status == corev1.ConditionTrue && c.Reason == "NewReplicaSetAvailable" {
				rolledOut = true
			}
			progressingReason = c.Reason
		case appsv1.DeploymentAvailable:
			available = c.Status == corev1.ConditionTrue
			availableReason = c.Reason
		}
	}
	switch {
	case want > s.Replicas:
		return progressing("%d/%d replicas created", s.Replicas, want)
	case want > s.UpdatedReplicas:
		return progressing("%d/%d replicas updated", s.UpdatedReplicas, want)
	case s.Replicas > want:
		if s.Replicas > s.UpdatedReplicas {
			// As kubectl rollout status: old pods still count as available.
			return progressing("%d old replica(s) pending termination", s.Replicas-want)
		}
		return progressing("%d extra replica(s) pending termination", s.Replicas-want)
	case s.UpdatedReplicas > s.AvailableReplicas:
		return progressing("%d/%d replicas available", s.AvailableReplicas, want)
	case want > s.ReadyReplicas:
		return progressing("%d/%d replicas ready", s.ReadyReplicas, want)
	case !rolledOut:
		return waiting(describe("new replica set not reported available yet", progressingReason, ""))
	case !available:
		return waiting(describe("Available condition not True yet", availableReason, ""))
	}
	return ready
}

// statefulSetReadiness: every wanted replica created and ready, no extra
// one left, then either the partition's share updated (a partition is
// always set on a live RollingUpdate StatefulSet), or every replica current
// at the update revision. With the OnDelete strategy (an exception to
// kstatus, which calls it ready at once), every wanted replica created and
// ready for an observed generation, whatever its revision.
func statefulSetReadiness(o *appsv1.StatefulSet) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	s := &o.Status
	if unobserved(o.Generation, s.ObservedGeneration) {
		return rolloutNotObserved
	}
	if r, ok := standard(s.Conditions, statefulSetCond); ok {
		return r
	}
	want := replicas(o.Spec.Replicas)
	if o.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType && o.Generation != 0 && s.ObservedGeneration == 0 {
		return rolloutNotObserved
	}
	switch {
	case want > s.Replicas:
		return progressing("%d/%d replicas created", s.Replicas, want)
	case want > s.ReadyReplicas:
		return progressing("%d/%d replicas ready", s.ReadyReplicas, want)
	case s.Replicas > want:
		return progressing("%d extra replica(s) pending termination", s.Replicas-want)
	case o.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType:
		// Pods move to the update revision only when deleted: not awaited.
		return ready
	}
	if ru := o.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		if share := want - *ru.Partition; s.UpdatedReplicas < share {
			return progressing("%d/%d replicas updated", s.UpdatedReplicas, share)
		}
		return ready
	}
	switch {
	case want > s.CurrentReplicas:
		return progressing("%d/%d replicas at the current revision", s.CurrentReplicas, want)
	case s.CurrentRevision != s.UpdateRevision:
		return progressing("rollout to revision %s in progress", s.UpdateRevision)
	}
	return ready
}

// daemonSetReadiness: observed (a DaemonSet the controller has seen always
// has an observedGeneration), every scheduled pod current, updated,
// available and ready.
func daemonSetReadiness(o *appsv1.DaemonSet) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	s := &o.Status
	if unobserved(o.Generation, s.ObservedGeneration) {
		return rolloutNotObserved
	}
	if r, ok := standard(s.Conditions, daemonSetCond); ok {
		return r
	}
	want := s.DesiredNumberScheduled
	switch {
	case o.Generation == 0 || s.ObservedGeneration == 0:
		return rolloutNotObserved
	case want > s.CurrentNumberScheduled:
		return progressing("%d/%d pods scheduled", s.CurrentNumberScheduled, want)
	case want > s.UpdatedNumberScheduled:
		return progressing("%d/%d pods updated", s.UpdatedNumberScheduled, want)
	case want > s.NumberAvailable:
		return progressing("%d/%d pods available", s.NumberAvailable, want)
	case want > s.NumberReady:
		return progressing("%d/%d pods ready", s.NumberReady, want)
	}
	return ready
}

// replicaSetReadiness: no ReplicaFailure, every wanted replica labelled,
// available and ready, no extra one left.
func replicaSetReadiness(o *appsv1.ReplicaSet) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	s := &o.Status
	if unobserved(o.Generation, s.ObservedGeneration) {
		return rolloutNotObserved
	}
	if r, ok := standard(s.Conditions, replicaSetCond); ok {
		return r
	}
	for i := range s.Conditions {
		// kstatus: Progressing, the controller retries (a quota may free up).
		if c := &s.Conditions[i]; c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
			return waiting(describe("replica creation failing", c.Reason, c.Message))
		}
	}
	want := replicas(o.Spec.Replicas)
	switch {
	case want > s.FullyLabeledReplicas:
		return progressing("%d/%d replicas labelled", s.FullyLabeledReplicas, want)
	case want > s.AvailableReplicas:
		return progressing("%d/%d replicas available", s.AvailableReplicas, want)
	case want > s.ReadyReplicas:
		return progressing("%d/%d replicas ready", s.ReadyReplicas, want)
	case s.Replicas > want:
		return progressing("%d extra replica(s) pending termination", s.Replicas-want)
	}
	return ready
}

// podReadiness: Succeeded, or Running and Ready. Failed when a container
// crash-loops, when it stayed unschedulable past kstatus' schedule window,
// and (an exception to kstatus, which calls it Current) in phase Failed.
// The second result reports a verdict that depends on the clock.
func podReadiness(o *corev1.Pod) (Readiness, bool) {
	if o.DeletionTimestamp != nil {
		return beingDeleted, false
	}
	s := &o.Status
	if unobserved(o.Generation, s.ObservedGeneration) {
		return generationNotObserved(o.Generation, s.ObservedGeneration), false
	}
	if r, ok := standard(s.Conditions, podCond); ok {
		return r, false
	}
	switch s.Phase {
	case corev1.PodSucceeded:
		return ready, false
	case corev1.PodFailed:
		return Readiness{State: Failed, Reason: "PodFailed", Message: podFailure(s)}, false
	case corev1.PodRunning:
		var crashing []string
		for i := range s.Conditions {
			if c := &s.Conditions[i]; c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				return ready, false
			}
		}
		for i := range s.ContainerStatuses {
			cs := &s.ContainerStatuses[i]
			if w := cs.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
				crashing = append(crashing, cs.Name)
			}
		}
		if len(crashing) > 0 {
			return Readiness{State: Failed, Reason: "ContainerCrashLooping",
				Message: "container(s) in CrashLoopBackOff: " + strings.Join(crashing, ", ")}, false
		}
		return waiting("running, not ready"), false
	case corev1.PodPending:
		for i := range s.Conditions {
			c := &s.Conditions[i]
			if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse {
				continue
			}
			if c.Reason == corev1.PodReasonUnschedulable {
				if clock().Add(-status.ScheduleWindow).Before(o.CreationTimestamp.Time) {
					return waiting("not scheduled yet"), true
				}
				return Readiness{State: Failed, Reason: "PodUnschedulable", Message: describe("unschedulable", "", c.Message)}, true
			}
			break
		}
		for i := range s.InitContainerStatuses {
			if w := s.InitContainerStatuses[i].State.Waiting; w != nil && w.Reason != "" {
				return waiting("Pending (init container " + w.Reason + ")"), false
			}
		}
		for i := range s.ContainerStatuses {
			if w := s.ContainerStatuses[i].State.Waiting; w != nil && w.Reason != "" {
				return waiting("Pending (" + w.Reason + ")"), false
			}
		}
		return waiting("Pending"), false
	case "":
		return waiting("phase not reported yet"), false
	}
	return progressing("phase %s", s.Phase), false
}

// podFailure says why a Pod failed: its own reason and message (Evicted,
// DeadlineExceeded), else its first container that exited in error.
func podFailure(s *corev1.PodStatus) string {
	if s.Reason != "" || s.Message != "" {
		return describe("failed", s.Reason, s.Message)
	}
	for i := range s.ContainerStatuses {
		cs := &s.ContainerStatuses[i]
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			return fmt.Sprintf("failed: container %s exited with code %d", cs.Name, t.ExitCode)
		}
	}
	return "failed"
}

// pvcReadiness: Bound.
func pvcReadiness(o *corev1.PersistentVolumeClaim) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	if r, ok := standard(o.Status.Conditions, pvcCond); ok {
		return r
	}
	if o.Status.Phase != corev1.ClaimBound {
		phase := o.Status.Phase
		if phase == "" {
			phase = corev1.ClaimPending
		}
		return progressing("claim %s, not Bound", phase)
	}
	return ready
}

// serviceReadiness: a LoadBalancer Service once it has a cluster IP; any
// other Service at once.
func serviceReadiness(o *corev1.Service) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	if r, ok := standard(o.Status.Conditions, metaCond); ok {
		return r
	}
	if o.Spec.Type == corev1.ServiceTypeLoadBalancer && o.Spec.ClusterIP == "" {
		return waiting("no cluster IP assigned yet")
	}
	return ready
}

// pdbReadiness: observed.
func pdbReadiness(o *policyv1.PodDisruptionBudget) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	if unobserved(o.Generation, o.Status.ObservedGeneration) {
		return generationNotObserved(o.Generation, o.Status.ObservedGeneration)
	}
	if r, ok := standard(o.Status.Conditions, metaCond); ok {
		return r
	}
	return ready
}

// jobReadiness: Complete; Failed when it failed. Running or suspended, it
// is Progressing (an exception to kstatus, which calls a started Job
// Current).
func jobReadiness(o *batchv1.Job) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	if r, ok := standard(o.Status.Conditions, jobCond); ok {
		return r
	}
	suspended := false
	for i := range o.Status.Conditions {
		c := &o.Status.Conditions[i]
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return ready
		case batchv1.JobFailed:
			return Readiness{State: Failed, Reason: "JobFailed", Message: describe("failed", c.Reason, c.Message)}
		case batchv1.JobSuspended:
			suspended = true
		}
	}
	want := int32(1)
	if o.Spec.Completions != nil {
		want = *o.Spec.Completions
	}
	if suspended {
		return progressing("suspended (%d/%d completions)", o.Status.Succeeded, want)
	}
	return progressing("%d/%d completions", o.Status.Succeeded, want)
}

// crdReadiness: Established; Failed when its names are not accepted or it
// is not established for another reason than installing.
func crdReadiness(o *apiextensionsv1.CustomResourceDefinition) Readiness {
	if o.DeletionTimestamp != nil {
		return beingDeleted
	}
	if r, ok := standard(o.Status.Conditions, crdCond); ok {
		return r
	}
	for i := range o.Status.Conditions {
		c := &o.Status.Conditions[i]
		switch {
		case c.Type == apiextensionsv1.NamesAccepted && c.Status == apiextensionsv1.ConditionFalse:
			return failure(c.Reason, describe("names not accepted", c.Reason, c.Message))
		case c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionFalse && c.Reason != "Installing":
			return failure(c.Reason, describe("not established", c.Reason, c.Message))
		case c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue:
			return ready
		}
	}
	return waiting("not established yet")
}
