package okt_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// TestInvalidDerivedObject: issue 21, acceptance 6. A custom resource named
// with 60 characters derives a Service name over the 63-character limit:
// Stalled within one reconcile, the message naming the Service and the
// limit, and requeues that back off instead of a retry loop.
func TestInvalidDerivedObject(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	name := strings.Repeat("a", 60)
	w := newWidget(t, plain, ns, name)
	service := func(w *testapi.Widget) []resources.Resource {
		return []resources.Resource{resources.NewMutable(&corev1.Service{ObjectMeta: objMeta(w, "memcached")}, func(s *corev1.Service) error {
			s.Spec.Selector = labels(w)
			s.Spec.Ports = []corev1.ServicePort{{Name: "memcached", Port: 11211}}
			return nil
		})}
	}
	r := okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: service}.run))
	var delays []time.Duration
	for range 4 {
		res, err := r.Reconcile(context.Background(), request(w))
		if err != nil {
			t.Fatalf("reconcile returned %v: controller-runtime would retry within milliseconds", err)
		}
		delays = append(delays, res.RequeueAfter)
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second}
	for i := range want {
		if delays[i] != want[i] {
			t.Errorf("requeue delays %v, want %v", delays, want)
			break
		}
	}
	conds := getWidget(t, plain, w).Status.Conditions
	stalled := meta.FindStatusCondition(conds, okt.ConditionStalled)
	ready := meta.FindStatusCondition(conds, okt.ConditionReady)
	if stalled == nil || stalled.Status != metav1.ConditionTrue || stalled.Reason != okt.ReasonInvalid {
		t.Fatalf("Stalled %+v, want True/Invalid", stalled)
	}
	for _, s := range []string{"Service " + ns + "/" + name + "-memcached", "must be no more than 63 characters"} {
		if !strings.Contains(stalled.Message, s) {
			t.Errorf("Stalled message %q lacks %q", stalled.Message, s)
		}
	}
	if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != okt.ReasonInvalid {
		t.Errorf("Ready %+v, want False/Invalid", ready)
	}
}
