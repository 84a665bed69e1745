package okt_test

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

func objMeta(w *testapi.Widget, suffix string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: w.Name + "-" + suffix, Namespace: w.Namespace}
}

func labels(w *testapi.Widget) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "widget", "app.kubernetes.io/instance": w.Name}
}

func podTemplate(w *testapi.Widget, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels(w)},
		Spec: corev1.PodSpec{
			RestartPolicy: restart,
			Containers: []corev1.Container{{
				Name:  "main",
				Image: w.Spec.Image,
				Args:  []string{"-m", "64"},
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Env:   []corev1.EnvVar{{Name: "MESSAGE", Value: w.Spec.Message}, {Name: "EMPTY"}},
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("0.1"), corev1.ResourceMemory: resource.MustParse("64Mi")},
				},
				// An explicit zero, as operators set for safety: managed like
				// any other value.
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false)},
			}},
		},
	}
}

// kinds are the 16 kinds of the acceptance list.
var kinds = []struct {
	name      string
	usesImage bool // the Widget's spec.image reaches the object
	usesData  bool // the Widget's spec.data reaches the object
	build     func(w *testapi.Widget) resources.Resource
}{
	{"ConfigMap", false, true, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: objMeta(w, "cm")}, func(cm *corev1.ConfigMap) error {
			cm.Labels = labels(w)
			cm.Data = map[string]string{"message": w.Spec.Message}
			for k, v := range w.Spec.Data {
				cm.Data[k] = v
			}
			return nil
		})
	}},
	{"Secret", false, true, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&corev1.Secret{ObjectMeta: objMeta(w, "secret")}, func(s *corev1.Secret) error {
			s.Type = corev1.SecretTypeOpaque
			s.StringData = map[string]string{"password": "s3cret"}
			for k, v := range w.Spec.Data {
				s.StringData[k] = v
			}
			return nil
		})
	}},
	{"Service", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&corev1.Service{ObjectMeta: objMeta(w, "svc")}, func(s *corev1.Service) error {
			s.Labels = labels(w)
			s.Spec.Selector = labels(w)
			s.Spec.Ports = []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromString("http")},
				{Name: "plain", Port: 11211},
			}
			return nil
		})
	}},
	{"ServiceAccount", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&corev1.ServiceAccount{ObjectMeta: objMeta(w, "sa")}, func(sa *corev1.ServiceAccount) error {
			sa.Labels = labels(w)
			sa.AutomountServiceAccountToken = ptr.To(false)
			return nil
		})
	}},
	{"Deployment", true, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "deploy")}, func(d *appsv1.Deployment) error {
			d.Labels = labels(w)
			d.Spec.Replicas = ptr.To(w.Spec.Size)
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
			d.Spec.Template = podTemplate(w, "")
			return nil
		})
	}},
	{"StatefulSet", true, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&appsv1.StatefulSet{ObjectMeta: objMeta(w, "sts")}, func(s *appsv1.StatefulSet) error {
			s.Spec.Replicas = ptr.To(w.Spec.Size)
			s.Spec.ServiceName = w.Name + "-svc"
			s.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
			s.Spec.Template = podTemplate(w, "")
			s.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
				},
			}}
			return nil
		})
	}},
	{"DaemonSet", true, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&appsv1.DaemonSet{ObjectMeta: objMeta(w, "ds")}, func(d *appsv1.DaemonSet) error {
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
			d.Spec.Template = podTemplate(w, "")
			return nil
		})
	}},
	{"Job", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&batchv1.Job{ObjectMeta: objMeta(w, "job")}, func(j *batchv1.Job) error {
			j.Spec.BackoffLimit = ptr.To[int32](2)
			j.Spec.Template = podTemplate(&testapi.Widget{ObjectMeta: w.ObjectMeta, Spec: testapi.WidgetSpec{Image: "busybox:1.36"}}, corev1.RestartPolicyNever)
			return nil
		})
	}},
	{"CronJob", true, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&batchv1.CronJob{ObjectMeta: objMeta(w, "cron")}, func(c *batchv1.CronJob) error {
			c.Spec.Schedule = "*/5 * * * *"
			c.Spec.Suspend = ptr.To(false)
			c.Spec.JobTemplate.Spec.Template = podTemplate(w, corev1.RestartPolicyOnFailure)
			return nil
		})
	}},
	{"PersistentVolumeClaim", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&corev1.PersistentVolumeClaim{ObjectMeta: objMeta(w, "pvc")}, func(p *corev1.PersistentVolumeClaim) error {
			p.Labels = labels(w)
			p.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
			p.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
			return nil
		})
	}},
	{"Role", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&rbacv1.Role{ObjectMeta: objMeta(w, "role")}, func(r *rbacv1.Role) error {
			r.Rules = []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}}}
			return nil
		})
	}},
	{"RoleBinding", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&rbacv1.RoleBinding{ObjectMeta: objMeta(w, "rb")}, func(rb *rbacv1.RoleBinding) error {
			rb.RoleRef = rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: w.Name + "-role"}
			rb.Subjects = []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: w.Name + "-sa", Namespace: w.Namespace}}
			return nil
		})
	}},
	{"PodDisruptionBudget", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&policyv1.PodDisruptionBudget{ObjectMeta: objMeta(w, "pdb")}, func(p *policyv1.PodDisruptionBudget) error {
			p.Spec.MinAvailable = ptr.To(intstr.FromInt32(1))
			p.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
			return nil
		})
	}},
	{"Ingress", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&networkingv1.Ingress{ObjectMeta: objMeta(w, "ing")}, func(i *networkingv1.Ingress) error {
			prefix := networkingv1.PathTypePrefix
			i.Spec.Rules = []networkingv1.IngressRule{{
				Host: "widget.example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/", PathType: &prefix,
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
						Name: w.Name + "-svc", Port: networkingv1.ServiceBackendPort{Number: 80}}},
				}}}},
			}}
			return nil
		})
	}},
	{"HorizontalPodAutoscaler", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: objMeta(w, "hpa")}, func(h *autoscalingv2.HorizontalPodAutoscaler) error {
			h.Spec.ScaleTargetRef = autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: w.Name + "-deploy"}
			h.Spec.MinReplicas = ptr.To[int32](1)
			h.Spec.MaxReplicas = 5
			h.Spec.Metrics = []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](80)}},
			}}
			return nil
		})
	}},
	{"NetworkPolicy", false, false, func(w *testapi.Widget) resources.Resource {
		return resources.NewMutable(&networkingv1.NetworkPolicy{ObjectMeta: objMeta(w, "netpol")}, func(n *networkingv1.NetworkPolicy) error {
			n.Spec.PodSelector = metav1.LabelSelector{MatchLabels: labels(w)}
			n.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"role": "client"}}}},
				Ports: []networkingv1.NetworkPolicyPort{{Port: ptr.To(intstr.FromInt32(8080))}},
			}}
			return nil
		})
	}},
}
