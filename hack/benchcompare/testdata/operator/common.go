// Package bench holds the two hand-written controllers hack/benchcompare
// measures against okt's scaffolded one, and the floor (no controller).
// Each makes the same three objects as the scaffolded builders
// (internal/controller/web_web_*.go) and sets the same Ready condition:
// True once the Deployment has rolled out.
package bench

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	webv1 "example.com/bench/api/v1"
)

const image = "busybox:stable"

// Workers is how many reconciles run at once: the scaffold's
// controller.Options{MaxConcurrentReconciles: 8}, given to the book and SSA
// controllers too so that the three work with the same parallelism, and the
// floor's number of goroutines.
const Workers = 8

// setDeployment sets the fields of the Deployment the scaffolded builder
// (web_web_deployment.go) sets; the book's mutate function and the floor
// call it, the SSA controller sends the same fields as an apply
// configuration.
func setDeployment(dep *appsv1.Deployment, labels map[string]string) {
	dep.Labels = labels
	dep.Spec.Replicas = ptr.To(int32(1))
	dep.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels}
	dep.Spec.Template.Labels = labels
	dep.Spec.Template.Spec.Containers = []corev1.Container{{Name: "web", Image: image}}
}

// setService sets the fields of the Service the scaffolded builder sets.
func setService(svc *corev1.Service, labels map[string]string) {
	svc.Labels = labels
	svc.Spec.Selector = labels
	svc.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}
}

// setConfigMap sets the fields of the ConfigMap the scaffolded builder sets.
func setConfigMap(cm *corev1.ConfigMap, labels map[string]string) {
	cm.Labels = labels
	cm.Data = map[string]string{}
}

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
