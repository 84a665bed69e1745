// Package bench holds the two hand-written controllers hack/benchcompare
// measures against okt's scaffolded one. Each makes the same three objects
// as the scaffolded builders (internal/controller/web_web_*.go) and sets
// the same Ready condition: True once the Deployment has rolled out.
package bench

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	webv1 "example.com/bench/api/v1"
)

const image = "busybox:stable"

func objectName(web *webv1.Web) string { return web.Name + "-web" }

func labelsOf(web *webv1.Web) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "web",
		"app.kubernetes.io/instance":   web.Name,
		"app.kubernetes.io/managed-by": "bench",
	}
}

// rolledOut tells whether the Deployment's current generation has all its
// replicas updated and available.
func rolledOut(d *appsv1.Deployment) bool {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	return d.Generation > 0 && d.Status.ObservedGeneration >= d.Generation &&
		d.Status.UpdatedReplicas == want && d.Status.AvailableReplicas == want && d.Status.Replicas == want
}

// readyCondition returns the conditions of web with Ready set from the
// Deployment, its last transition time kept when its status is unchanged.
func readyCondition(web *webv1.Web, dep *appsv1.Deployment) []metav1.Condition {
	conditions := append([]metav1.Condition(nil), web.Status.Conditions...)
	c := metav1.Condition{Type: "Ready", Status: metav1.ConditionFalse, Reason: "Progressing",
		Message: "the Deployment is rolling out", ObservedGeneration: web.Generation}
	if rolledOut(dep) {
		c.Status, c.Reason, c.Message = metav1.ConditionTrue, "Succeeded", "the Deployment is rolled out"
	}
	meta.SetStatusCondition(&conditions, c)
	return conditions
}
