package resources

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func TestExplicitZeros(t *testing.T) {
	for _, tc := range []struct {
		name string
		obj  client.Object
		want []string
	}{
		{
			name: "pointers to zero are explicit, non-pointer zeros are not",
			obj: &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "d", Labels: map[string]string{"empty": ""}},
				Spec: appsv1.DeploymentSpec{
					Replicas: ptr.To[int32](0),
					Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
						AutomountServiceAccountToken: ptr.To(false),
						Containers: []corev1.Container{{
							Name:            "c",
							Args:            []string{""},
							Ports:           []corev1.ContainerPort{{ContainerPort: 0}},
							SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), Privileged: ptr.To(false)},
						}},
					}},
				},
			},
			want: []string{
				".metadata.labels.empty",
				".spec.replicas",
				".spec.template.spec.automountServiceAccountToken",
				".spec.template.spec.containers[0].args[0]",
				".spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
				".spec.template.spec.containers[0].securityContext.privileged",
			},
		},
		{
			name: "CronJob suspend false",
			obj:  &batchv1.CronJob{Spec: batchv1.CronJobSpec{Schedule: "* * * * *", Suspend: ptr.To(false)}},
			want: []string{".spec.suspend"},
		},
		{
			name: "ServiceAccount automount false",
			obj:  &corev1.ServiceAccount{AutomountServiceAccountToken: ptr.To(false)},
			want: []string{".automountServiceAccountToken"},
		},
		{
			name: "IntOrString: a zero is explicit only through a pointer",
			obj: &corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{
				Port: 80, TargetPort: intstr.FromInt32(0),
			}}}},
			want: nil,
		},
		{
			name: "ConfigMap: an empty value is a key the operator wrote",
			obj:  &corev1.ConfigMap{Data: map[string]string{"a": "", "b": "x"}},
			want: []string{".data.a"},
		},
		{
			name: "unstructured: everything present is explicit",
			obj: &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "apps/v1", "kind": "Deployment",
				"spec": map[string]any{"replicas": int64(0), "paused": false, "x": []any{int64(0)}},
			}},
			want: []string{".spec.paused", ".spec.replicas", ".spec.x[0]"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := toUnstructured(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for p := range explicitZeros(tc.obj, u) {
				got = append(got, p)
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("explicitZeros() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkApplyBody computes the apply body of a Deployment as a create
// does (the typed object converted, its explicit zeros found, the body
// built): the part of a reconcile that creates which is okt's own CPU.
func BenchmarkApplyBody(b *testing.B) {
	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web-1"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app.kubernetes.io/name": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: "nginx:1.27",
					Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false)},
				}}},
			},
		},
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := toUnstructured(dep)
		if err != nil {
			b.Fatal(err)
		}
		if body := bodyOf(u, explicitZeros(dep, u), nil); len(body) == 0 {
			b.Fatal("empty body")
		}
	}
}
