package resources

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
)

// TestFingerprint: the fingerprint of a desired object tells apart what
// change detection tells apart (a nil pointer and a pointer to zero, a map
// entry, the kind), and is the same for equal objects whatever the order a
// map was filled in.
func TestFingerprint(t *testing.T) {
	deployment := func(edit func(*appsv1.Deployment)) *appsv1.Deployment {
		d := &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", Labels: map[string]string{"a": "1", "b": "2", "c": "3"}},
		}
		if edit != nil {
			edit(d)
		}
		return d
	}
	fp := func(obj any) [32]byte {
		t.Helper()
		sum, ok := fingerprint(obj)
		if !ok {
			t.Fatalf("no fingerprint for %T", obj)
		}
		return sum
	}
	base := fp(deployment(nil))
	same := fp(deployment(func(d *appsv1.Deployment) {
		d.Labels = map[string]string{}
		for _, k := range []string{"c", "a", "b"} {
			d.Labels[k] = map[string]string{"a": "1", "b": "2", "c": "3"}[k]
		}
	}))
	if base != same {
		t.Error("equal objects have different fingerprints")
	}
	for name, other := range map[string]any{
		"replicas 0 set":   deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(int32(0)) }),
		"a label more":     deployment(func(d *appsv1.Deployment) { d.Labels["d"] = "" }),
		"another version":  deployment(func(d *appsv1.Deployment) { d.APIVersion = "apps/v1beta2" }),
		"a paused rollout": deployment(func(d *appsv1.Deployment) { d.Spec.Paused = true }),
	} {
		if fp(other) == base {
			t.Errorf("%s: same fingerprint as the original", name)
		}
	}
	if fp(deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(int32(0)) })) ==
		fp(deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(int32(1)) })) {
		t.Error("replicas 0 and 1 have the same fingerprint")
	}
	// Types without protobuf go through JSON.
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"k": "v"}}}
	u2 := u.DeepCopy()
	u2.Object["data"] = map[string]any{"k": "w"}
	if fp(u) == fp(u2) {
		t.Error("unstructured objects of different data have the same fingerprint")
	}
	// Two kinds with the same fields encoded alike differ by their type.
	if fp(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x"}}) == fp(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "x"}}) {
		t.Error("a ConfigMap and a Secret of one name have the same fingerprint")
	}
}
