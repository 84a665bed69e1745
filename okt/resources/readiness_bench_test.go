package resources_test

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
)

// readyDeployment is a Deployment as the API server returns it once rolled out.
func readyDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Generation: 2, UID: "d-uid", ResourceVersion: "7"},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](3), ProgressDeadlineSeconds: ptr.To[int32](600)},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3,
			Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
			},
		},
	}
}

// readyCustomResource is a custom resource of another operator, Ready and
// observed; with uid, the UID and resourceVersion the API server gives it.
func readyCustomResource(uid bool) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "db.example.com/v1",
		"kind":       "Database",
		"metadata":   map[string]any{"name": "db", "namespace": "ns", "generation": int64(4)},
		"spec":       map[string]any{"size": "1Gi"},
		"status": map[string]any{
			"observedGeneration": int64(4),
			"conditions": []any{
				map[string]any{"type": "Ready", "status": "True", "reason": "Succeeded", "message": "Reconciled"},
			},
		},
	}}
	if uid {
		u.SetUID("db-uid")
		u.SetResourceVersion("42")
	}
	return u
}

// BenchmarkReadinessOf: a ready typed Deployment (okt's own rule: no
// allocation), a ready custom resource read by kstatus, and the same objects
// seen again with their UID and resourceVersion (remembered).
func BenchmarkReadinessOf(b *testing.B) {
	for _, bc := range []struct {
		name string
		obj  client.Object
	}{
		{"typed Deployment", readyDeployment()},
		{"unstructured custom resource", readyCustomResource(false)},
		{"unstructured custom resource, same UID and resourceVersion", readyCustomResource(true)},
		{"typed HorizontalPodAutoscaler (converted), same UID and resourceVersion", &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Generation: 1, UID: "h-uid", ResourceVersion: "9"},
			Status:     autoscalingv2.HorizontalPodAutoscalerStatus{ObservedGeneration: ptr.To[int64](1)},
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !resources.ReadinessOf(bc.obj).Ready() {
					b.Fatal("not ready")
				}
			}
		})
	}
}
