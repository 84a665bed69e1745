package resources

import (
	"fmt"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
// ReadinessOf for this resource. fn receives the resource's copy of the live
// object (Live), never the cache's.
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
		return o.opts.readiness(o.Live()) // a copy: the function is the operator's
	}
	return ReadinessOf(o.live)
}

// clock is the time the Pod rule reads (a Pod unschedulable for longer than
// the schedule window is Failed); tests set it.
var clock = time.Now

func progressing(format string, args ...any) Readiness {
	return Readiness{State: Progressing, Message: fmt.Sprintf(format, args...)}
}

// waiting is progressing with a constant message.
func waiting(msg string) Readiness { return Readiness{State: Progressing, Message: msg} }

var (
	ready        = Readiness{State: IsReady}
	absent       = waiting("does not exist")
	beingDeleted = waiting("being deleted")
)

// failure is a Failed readiness; a failure without a reason of its own gets
// the reason "Stalled".
func failure(reason, msg string) Readiness {
	if reason == "" {
		reason = "Stalled"
	}
	return Readiness{State: Failed, Reason: reason, Message: msg}
}

// ReadinessOf returns the readiness of a live object from its status. It
// follows kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status), the readiness
// kubectl-style tools and GitOps controllers agree on, except where an
// operator's Ready needs more (see docs/readiness.md). In order:
//
//   - an object being deleted is Progressing ("being deleted");
//   - an object whose status.observedGeneration is not its generation is
//     Progressing;
//   - a condition Reconciling=True makes it Progressing, Stalled=True Failed
//     (with the condition's reason);
//   - then the rule of its kind: a Deployment, StatefulSet, DaemonSet or
//     ReplicaSet is ready once every wanted replica is updated, ready and
//     available and no extra one is left (a Deployment past its progress
//     deadline is Failed); a Pod once Running and Ready, or Succeeded (Failed
//     in phase Failed, when a container crash-loops, or when it could not be
//     scheduled for longer than kstatus' schedule window); a Job once
//     Complete (Failed when it failed); a PersistentVolumeClaim once Bound; a
//     LoadBalancer Service once it has a cluster IP; a
//     CustomResourceDefinition once Established (Failed when its names are
//     not accepted); a PodDisruptionBudget once observed; a ConfigMap,
//     Secret, CronJob or a kind without status as soon as it exists;
//   - any other kind (a custom resource) follows its Ready condition when it
//     has one, and is ready otherwise.
//
// Objects of the kinds above as Go types are read by okt's own rules,
// written to agree with kstatus, without conversion or allocation when
// ready. An unstructured object of one of these kinds is converted to its
// Go type and read by the same rule. Any other object is read by kstatus (a
// typed one converted to unstructured first). The verdicts that needed a
// conversion or kstatus are remembered per UID and resourceVersion, so that
// the same live object seen again is not read again. A nil object is
// Progressing ("does not exist").
func ReadinessOf(obj client.Object) Readiness {
	r, _ := readinessOf(obj)
	return r
}

// readinessOf returns the readiness of obj, and whether it depends on the
// clock (then it must not be remembered).
func readinessOf(obj client.Object) (Readiness, bool) {
	switch o := obj.(type) {
	case nil:
		return absent, false
	case *appsv1.Deployment:
		if o == nil {
			return absent, false
		}
		return deploymentReadiness(o), false
	case *appsv1.StatefulSet:
		if o == nil {
			return absent, false
		}
		return statefulSetReadiness(o), false
	case *appsv1.DaemonSet:
		if o == nil {
			return absent, false
		}
		return daemonSetReadiness(o), false
	case *appsv1.ReplicaSet:
		if o == nil {
			return absent, false
		}
		return replicaSetReadiness(o), false
	case *corev1.Pod:
		if o == nil {
			return absent, false
		}
		return podReadiness(o)
	case *corev1.PersistentVolumeClaim:
		if o == nil {
			return absent, false
		}
		return pvcReadiness(o), false
	case *corev1.Service:
		if o == nil {
			return absent, false
		}
		return serviceReadiness(o), false
	case *policyv1.PodDisruptionBudget:
		if o == nil {
			return absent, false
		}
		return pdbReadiness(o), false
	case *batchv1.Job:
		if o == nil {
			return absent, false
		}
		return jobReadiness(o), false
	case *apiextensionsv1.CustomResourceDefinition:
		if o == nil {
			return absent, false
		}
		return crdReadiness(o), false
	case *batchv1.CronJob:
		// No status kstatus reads: ready once it exists.
		return statusless(o == nil, o), false
	case *corev1.ConfigMap:
		return statusless(o == nil, o), false
	case *corev1.Secret:
		return statusless(o == nil, o), false
	// Kinds without a status: kstatus finds no condition and no
	// observedGeneration, and says Current.
	case *corev1.ServiceAccount:
		return statusless(o == nil, o), false
	case *rbacv1.Role:
		return statusless(o == nil, o), false
	case *rbacv1.RoleBinding:
		return statusless(o == nil, o), false
	case *rbacv1.ClusterRole:
		return statusless(o == nil, o), false
	case *rbacv1.ClusterRoleBinding:
		return statusless(o == nil, o), false
	case *schedulingv1.PriorityClass:
		return statusless(o == nil, o), false
	case *networkingv1.NetworkPolicy:
		return statusless(o == nil, o), false
	case *networkingv1.IngressClass:
		return statusless(o == nil, o), false
	case *storagev1.StorageClass:
		return statusless(o == nil, o), false
	case *admissionregistrationv1.ValidatingWebhookConfiguration:
		return statusless(o == nil, o), false
	case *admissionregistrationv1.MutatingWebhookConfiguration:
		return statusless(o == nil, o), false
	case *unstructured.Unstructured:
		if o == nil {
			return absent, false
		}
		return rememberedReadiness(o, func() (Readiness, bool) { return unstructuredReadiness(o) }), false
	}
	return convertedReadiness(obj), false
}

// statusless is the readiness of an object that has no status to read.
func statusless(isNil bool, o client.Object) Readiness {
	switch {
	case isNil:
		return absent
	case o.GetDeletionTimestamp() != nil:
		return beingDeleted
	}
	return ready
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
