package resources

import (
	"reflect"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// ruledKinds are the kinds whose rule in readiness_rules.go differs from a
// plain kstatus call in its verdict (an exception) or its message: an
// unstructured object of one of them is converted to its Go type and read by
// the same rule, so that typed and unstructured objects of a kind get the
// same readiness, exceptions and messages included. The group and kind are
// matched whatever the version, as kstatus matches them.
var ruledKinds = map[schema.GroupKind]func() client.Object{
	{Group: "apps", Kind: "Deployment"}:                               func() client.Object { return &appsv1.Deployment{} },
	{Group: "apps", Kind: "StatefulSet"}:                              func() client.Object { return &appsv1.StatefulSet{} },
	{Group: "apps", Kind: "DaemonSet"}:                                func() client.Object { return &appsv1.DaemonSet{} },
	{Group: "apps", Kind: "ReplicaSet"}:                               func() client.Object { return &appsv1.ReplicaSet{} },
	{Group: "", Kind: "Pod"}:                                          func() client.Object { return &corev1.Pod{} },
	{Group: "", Kind: "PersistentVolumeClaim"}:                        func() client.Object { return &corev1.PersistentVolumeClaim{} },
	{Group: "", Kind: "Service"}:                                      func() client.Object { return &corev1.Service{} },
	{Group: "policy", Kind: "PodDisruptionBudget"}:                    func() client.Object { return &policyv1.PodDisruptionBudget{} },
	{Group: "batch", Kind: "Job"}:                                     func() client.Object { return &batchv1.Job{} },
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}: func() client.Object { return &apiextensionsv1.CustomResourceDefinition{} },
}

// unstructuredReadiness reads an unstructured object: by okt's rule when its
// kind has one, else by kstatus. The second result reports a verdict that
// depends on the clock.
func unstructuredReadiness(u *unstructured.Unstructured) (Readiness, bool) {
	if newObj, ok := ruledKinds[u.GroupVersionKind().GroupKind()]; ok {
		obj := newObj()
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
			return progressing("status unreadable: %v", err), false
		}
		return readinessOf(obj)
	}
	return kstatusReadiness(u), false
}

// convertedReadiness reads a typed object of a kind okt has no rule for (a
// HorizontalPodAutoscaler, an Ingress, a typed custom resource): converted to
// unstructured, read by kstatus.
func convertedReadiness(obj client.Object) Readiness {
	if v := reflect.ValueOf(obj); v.Kind() == reflect.Pointer && v.IsNil() {
		return absent
	}
	return rememberedReadiness(obj, func() (Readiness, bool) {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return progressing("status unreadable: %v", err), false
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetKind() == "" {
			// Objects read by a typed client come without apiVersion and kind.
			if gvk, err := apiutil.GVKForObject(obj, clientgoscheme.Scheme); err == nil {
				u.SetGroupVersionKind(gvk)
			}
		}
		return unstructuredReadiness(u)
	})
}

// kstatusReadiness maps kstatus' verdict on u: Current is ready; InProgress,
// Terminating, NotFound and Unknown are Progressing; Failed is Failed with
// the reason of kstatus' Stalled condition. Messages are okt's: kstatus'
// own name the kind. One exception: a Ready, Reconciling or Stalled
// condition set for an older generation makes u Progressing.
func kstatusReadiness(u *unstructured.Unstructured) Readiness {
	res, err := status.Compute(u)
	if err != nil {
		return progressing("status unreadable: %v", err)
	}
	if res.Status != status.TerminatingStatus {
		if typ, gen, observed, ok := staleCondition(u); ok {
			// An exception to kstatus, which reads status.observedGeneration
			// only.
			return progressing("generation %d not observed yet (%s condition at %d)", gen, typ, observed)
		}
	}
	switch res.Status {
	case status.CurrentStatus:
		return ready
	case status.TerminatingStatus:
		return beingDeleted
	case status.NotFoundStatus:
		return absent
	case status.FailedStatus:
		reason, msg := "", res.Message
		for _, c := range res.Conditions {
			if c.Type == status.ConditionStalled {
				reason, msg = c.Reason, c.Message
				break
			}
		}
		return failure(reason, describe("stalled", reason, msg))
	case status.InProgressStatus:
		return waiting(inProgressMessage(u, res))
	}
	return waiting(describe("status unknown", "", res.Message))
}

// generationBehind reports whether u's status.observedGeneration is present
// and differs from its generation (kstatus then says InProgress).
func generationBehind(u *unstructured.Unstructured) bool {
	gen, hasGen, _ := unstructured.NestedInt64(u.Object, "metadata", "generation")
	observed, hasObserved, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	return hasGen && hasObserved && gen != observed
}

// staleCondition finds, on an object without status.observedGeneration, a
// condition among those kstatus decides on (Ready, Reconciling, Stalled)
// that was set for another generation than u's: its observedGeneration, when
// it has one, is not metadata.generation. Such a condition is about an older
// spec, as metav1.Condition defines it; okt's own custom resources, and many
// others, record their generation there only. When status.observedGeneration
// is present, kstatus' reading of it stands: the controller says which
// generation its status is for.
func staleCondition(u *unstructured.Unstructured) (typ string, gen, observed int64, ok bool) {
	gen, hasGen, _ := unstructured.NestedInt64(u.Object, "metadata", "generation")
	if !hasGen || gen == 0 {
		return "", 0, 0, false
	}
	if _, hasObserved, _ := unstructured.NestedFieldNoCopy(u.Object, "status", "observedGeneration"); hasObserved {
		return "", 0, 0, false
	}
	conds, _, _ := unstructured.NestedFieldNoCopy(u.Object, "status", "conditions")
	list, _ := conds.([]any)
	for _, item := range list {
		c, _ := item.(map[string]any)
		typ, _ := c["type"].(string)
		switch typ {
		case "Ready", string(status.ConditionReconciling), string(status.ConditionStalled):
		default:
			continue
		}
		if observed, _ := c["observedGeneration"].(int64); observed != 0 && observed != gen {
			return typ, gen, observed, true
		}
	}
	return "", 0, 0, false
}

// inProgressMessage says why kstatus found u in progress. For a kind without
// a kstatus rule of its own that is, in kstatus' order: a generation not
// observed, a Reconciling condition True, a Ready condition not True.
func inProgressMessage(u *unstructured.Unstructured, res *status.Result) string {
	if generationBehind(u) {
		gen, _, _ := unstructured.NestedInt64(u.Object, "metadata", "generation")
		observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		return generationNotObserved(gen, observed).Message
	}
	var reason, msg string
	for _, c := range res.Conditions {
		if c.Type == status.ConditionReconciling {
			reason, msg = c.Reason, c.Message
			break
		}
	}
	conds, _, _ := unstructured.NestedFieldNoCopy(u.Object, "status", "conditions")
	list, _ := conds.([]any)
	readyStatus := ""
	for _, item := range list {
		c, _ := item.(map[string]any)
		typ, _ := c["type"].(string)
		st, _ := c["status"].(string)
		switch {
		case typ == string(status.ConditionReconciling) && st == string(corev1.ConditionTrue):
			return describe("reconciling", reason, msg)
		case typ == "Ready" && readyStatus == "" && (st == string(corev1.ConditionFalse) || st == string(corev1.ConditionUnknown)):
			readyStatus = st
		}
	}
	switch readyStatus {
	case string(corev1.ConditionFalse):
		return describe("not Ready", reason, msg)
	case string(corev1.ConditionUnknown):
		return describe("Ready Unknown", reason, msg)
	}
	return describe("in progress", reason, msg)
}

// readinessMemo remembers the verdicts that needed a conversion or kstatus,
// per object UID, with the resourceVersion they were computed for: the same
// live object seen again (any write changes its resourceVersion) is not
// converted or read again. A verdict that depends on the clock is not
// remembered, nor one of an object without UID or resourceVersion.
var readinessMemo = &readinessMemory{}

// maxReadinessMemo bounds the table: past it, the table starts afresh
// (entries of deleted objects are never removed one by one).
const maxReadinessMemo = 50000

type readinessMemory struct {
	mu sync.Mutex
	m  map[types.UID]readinessEntry
}

type readinessEntry struct {
	resourceVersion string
	readiness       Readiness
}

func (m *readinessMemory) get(uid types.UID, rv string) (Readiness, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.m[uid]
	if !ok || e.resourceVersion != rv {
		return Readiness{}, false
	}
	return e.readiness, true
}

func (m *readinessMemory) put(uid types.UID, rv string, r Readiness) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= maxReadinessMemo {
		m.m = make(map[types.UID]readinessEntry)
	}
	m.m[uid] = readinessEntry{resourceVersion: rv, readiness: r}
}

// rememberedReadiness returns obj's remembered verdict, or computes it with
// compute (which also reports whether it depends on the clock) and
// remembers it.
func rememberedReadiness(obj client.Object, compute func() (Readiness, bool)) Readiness {
	uid, rv := obj.GetUID(), obj.GetResourceVersion()
	keyed := uid != "" && rv != ""
	if keyed {
		if r, ok := readinessMemo.get(uid, rv); ok {
			return r
		}
	}
	r, timed := compute()
	if keyed && !timed {
		readinessMemo.put(uid, rv, r)
	}
	return r
}
