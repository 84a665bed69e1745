package resources

import (
	"fmt"
	"sync"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// forgetReadiness empties the readiness memo for the test.
func forgetReadiness(t *testing.T) {
	t.Helper()
	readinessMemo.mu.Lock()
	readinessMemo.m = nil
	readinessMemo.mu.Unlock()
	t.Cleanup(func() {
		readinessMemo.mu.Lock()
		readinessMemo.m = nil
		readinessMemo.mu.Unlock()
	})
}

func remembered(uid types.UID) (readinessEntry, bool) {
	readinessMemo.mu.Lock()
	defer readinessMemo.mu.Unlock()
	e, ok := readinessMemo.m[uid]
	return e, ok
}

func hpa(uid types.UID, rv string, gen, observed int64) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "h", Namespace: "ns", UID: uid, ResourceVersion: rv, Generation: gen},
		Status:     autoscalingv2.HorizontalPodAutoscalerStatus{ObservedGeneration: &observed},
	}
}

// TestReadinessMemoSteadyState: a typed object of a kind okt has no rule for
// is converted once per resourceVersion; seen again, it converts nothing.
func TestReadinessMemoSteadyState(t *testing.T) {
	forgetReadiness(t)
	h := hpa("h-uid", "10", 2, 1)
	if got := ReadinessOf(h); got != waiting("generation 2 not observed yet (status at 1)") {
		t.Fatalf("first read: %+v", got)
	}
	if e, ok := remembered("h-uid"); !ok || e.resourceVersion != "10" {
		t.Fatalf("not remembered: %+v %v", e, ok)
	}
	if n := testing.AllocsPerRun(100, func() { ReadinessOf(h) }); n != 0 {
		t.Errorf("the same live object seen again: %v allocations, want 0 (nothing converted)", n)
	}

	// The remembered verdict belongs to the resourceVersion: the API server
	// changes it on every write.
	*h.Status.ObservedGeneration = 2
	if got := ReadinessOf(h); got.Ready() {
		t.Errorf("same resourceVersion, status changed in place: %+v, want the remembered verdict", got)
	}
	h.ResourceVersion = "11"
	if got := ReadinessOf(h); !got.Ready() {
		t.Errorf("new resourceVersion: %+v, want ready", got)
	}
}

// TestReadinessMemoNeedsUIDAndResourceVersion: an object without UID or
// resourceVersion (not read from the API server) is never remembered.
func TestReadinessMemoNeedsUIDAndResourceVersion(t *testing.T) {
	forgetReadiness(t)
	for _, h := range []*autoscalingv2.HorizontalPodAutoscaler{hpa("", "10", 2, 1), hpa("no-rv", "", 2, 1)} {
		if ReadinessOf(h).Ready() {
			t.Fatal("ready")
		}
		*h.Status.ObservedGeneration = 2
		if got := ReadinessOf(h); !got.Ready() {
			t.Errorf("uid %q rv %q: %+v, want ready (computed again)", h.UID, h.ResourceVersion, got)
		}
	}
	readinessMemo.mu.Lock()
	defer readinessMemo.mu.Unlock()
	if len(readinessMemo.m) != 0 {
		t.Errorf("remembered %v", readinessMemo.m)
	}
}

// TestReadinessMemoNotForTheClock: a verdict that depends on the clock (an
// unschedulable Pod, here unstructured) is not remembered.
func TestReadinessMemoNotForTheClock(t *testing.T) {
	forgetReadiness(t)
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "p", "namespace": "ns", "uid": "p-uid", "resourceVersion": "5",
			"creationTimestamp": created.Format(time.RFC3339)},
		"status": map[string]any{"phase": "Pending", "conditions": []any{
			map[string]any{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"},
		}},
	}}
	SetReadinessClock(t, created.Add(time.Second))
	if got := ReadinessOf(u); got.State != Progressing {
		t.Fatalf("within the window: %+v", got)
	}
	SetReadinessClock(t, created.Add(time.Hour))
	if got := ReadinessOf(u); got.State != Failed || got.Reason != "PodUnschedulable" {
		t.Errorf("past the window: %+v, want Failed PodUnschedulable", got)
	}
	if _, ok := remembered("p-uid"); ok {
		t.Error("a verdict that depends on the clock was remembered")
	}

	// A Pod's other verdicts do not depend on the clock.
	u.Object["status"] = map[string]any{"phase": "Running", "conditions": []any{
		map[string]any{"type": "Ready", "status": "True"},
	}}
	u.SetResourceVersion("6")
	if got := ReadinessOf(u); !got.Ready() {
		t.Fatalf("running: %+v", got)
	}
	if _, ok := remembered("p-uid"); !ok {
		t.Error("a ready Pod's verdict was not remembered")
	}
}

// TestReadinessMemoBounded: past its bound, the memo starts afresh.
func TestReadinessMemoBounded(t *testing.T) {
	forgetReadiness(t)
	for i := 0; i <= maxReadinessMemo; i++ {
		readinessMemo.put(types.UID(fmt.Sprint(i)), "1", ready)
	}
	readinessMemo.mu.Lock()
	n := len(readinessMemo.m)
	readinessMemo.mu.Unlock()
	if n != 1 {
		t.Errorf("%d entries after %d puts, want 1 (started afresh)", n, maxReadinessMemo+1)
	}
}

// TestReadinessMemoConcurrent: reconciles of several workers read readiness
// at once (run with -race).
func TestReadinessMemoConcurrent(t *testing.T) {
	forgetReadiness(t)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				h := hpa(types.UID(fmt.Sprint(i%20)), "1", 1, 1)
				if !ReadinessOf(h).Ready() {
					t.Error("not ready")
					return
				}
			}
		}()
	}
	wg.Wait()
}
