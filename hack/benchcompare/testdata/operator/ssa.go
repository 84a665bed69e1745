package bench

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	"k8s.io/client-go/kubernetes"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	webv1 "example.com/bench/api/v1"
)

const fieldOwner = "web-ssa"

// SSAReconciler applies the owned objects with typed apply configurations
// (client-go's applyconfigurations) and the status with a server-side
// apply of the status subresource, at every reconcile: the server decides
// what changed. It runs Workers (8) reconciles at once, as the scaffolded
// okt controller does.
type SSAReconciler struct {
	client.Client
	Scheme    *runtime.Scheme
	clientset kubernetes.Interface
}

func (r *SSAReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	web := &webv1.Web{}
	if err := r.Get(ctx, req.NamespacedName, web); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	gvk := webv1.GroupVersion.WithKind("Web")
	dep, err := applyObjects(ctx, r.clientset, web, fieldOwner)
	if err != nil {
		return ctrl.Result{}, err
	}

	conditions := readyCondition(web, dep)
	status := &unstructured.Unstructured{}
	status.SetGroupVersionKind(gvk)
	status.SetNamespace(web.Namespace)
	status.SetName(web.Name)
	list := make([]any, 0, len(conditions))
	for _, c := range conditions {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&c)
		if err != nil {
			return ctrl.Result{}, err
		}
		list = append(list, m)
	}
	if err := unstructured.SetNestedSlice(status.Object, list, "status", "conditions"); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.Status().Patch(ctx, status, client.Apply, client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return ctrl.Result{}, fmt.Errorf("cannot apply the status: %w", err)
	}
	return ctrl.Result{}, nil
}

func (r *SSAReconciler) SetupWithManager(mgr ctrl.Manager) error {
	cs, err := kubernetes.NewForConfig(mgr.GetConfig())
	if err != nil {
		return err
	}
	r.clientset = cs
	return ctrl.NewControllerManagedBy(mgr).
		For(&webv1.Web{}).
		// The scaffolded okt controller's parallelism: the same for all.
		WithOptions(controller.Options{MaxConcurrentReconciles: Workers}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ConfigMap{}).
		Named("web-ssa").
		Complete(r)
}

func intstrFrom(port int32) intstr.IntOrString { return intstr.FromInt32(port) }

// applyObjects applies web's Deployment, Service and ConfigMap with typed
// apply configurations under fieldManager, forcing ownership, and returns
// the Deployment the API server answered with.
func applyObjects(ctx context.Context, cs kubernetes.Interface, web *webv1.Web, fieldManager string) (*appsv1.Deployment, error) {
	labels := labelsOf(web)
	gvk := webv1.GroupVersion.WithKind("Web")
	owner := metav1ac.OwnerReference().WithAPIVersion(gvk.GroupVersion().String()).WithKind(gvk.Kind).
		WithName(web.Name).WithUID(web.UID).WithController(true).WithBlockOwnerDeletion(true)
	apply := metav1.ApplyOptions{FieldManager: fieldManager, Force: true}

	dep, err := cs.AppsV1().Deployments(web.Namespace).Apply(ctx,
		appsv1ac.Deployment(objectName(web), web.Namespace).
			WithLabels(labels).WithOwnerReferences(owner).
			WithSpec(appsv1ac.DeploymentSpec().
				WithReplicas(1).
				WithSelector(metav1ac.LabelSelector().WithMatchLabels(labels)).
				WithTemplate(corev1ac.PodTemplateSpec().
					WithLabels(labels).
					WithSpec(corev1ac.PodSpec().WithContainers(
						corev1ac.Container().WithName("web").WithImage(image))))), apply)
	if err != nil {
		return nil, fmt.Errorf("cannot apply the Deployment: %w", err)
	}
	if _, err := cs.CoreV1().Services(web.Namespace).Apply(ctx,
		corev1ac.Service(objectName(web), web.Namespace).
			WithLabels(labels).WithOwnerReferences(owner).
			WithSpec(corev1ac.ServiceSpec().WithSelector(labels).WithPorts(
				corev1ac.ServicePort().WithName("http").WithPort(80).WithTargetPort(intstrFrom(8080)))), apply); err != nil {
		return nil, fmt.Errorf("cannot apply the Service: %w", err)
	}
	if _, err := cs.CoreV1().ConfigMaps(web.Namespace).Apply(ctx,
		corev1ac.ConfigMap(objectName(web), web.Namespace).
			WithLabels(labels).WithOwnerReferences(owner), apply); err != nil {
		return nil, fmt.Errorf("cannot apply the ConfigMap: %w", err)
	}
	return dep, nil
}
