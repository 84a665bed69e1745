package bench

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	webv1 "example.com/bench/api/v1"
)

// BookReconciler is written the way the kubebuilder book and most
// operators write a controller: controllerutil.CreateOrUpdate for each
// owned object, whose mutate function sets the fields the operator
// manages (the same as the scaffolded builders: common.go), then
// Status().Update. It runs Workers (8) reconciles at once, as the scaffolded
// okt controller does.
type BookReconciler struct {
	client.Client
	Scheme *runtime.Scheme
}

func (r *BookReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	log := logf.FromContext(ctx)
	web := &webv1.Web{}
	if err := r.Get(ctx, req.NamespacedName, web); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	labels := labelsOf(web)
	meta := metav1.ObjectMeta{Name: objectName(web), Namespace: web.Namespace}

	dep := &appsv1.Deployment{ObjectMeta: meta}
	op, err := controllerutil.CreateOrUpdate(ctx, r.Client, dep, func() error {
		setDeployment(dep, labels)
		return controllerutil.SetControllerReference(web, dep, r.Scheme)
	})
	if err != nil {
		return ctrl.Result{}, err
	}
	log.V(1).Info("deployment", "operation", op)

	svc := &corev1.Service{ObjectMeta: *meta.DeepCopy()}
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, svc, func() error {
		setService(svc, labels)
		return controllerutil.SetControllerReference(web, svc, r.Scheme)
	}); err != nil {
		return ctrl.Result{}, err
	}

	cm := &corev1.ConfigMap{ObjectMeta: *meta.DeepCopy()}
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, cm, func() error {
		setConfigMap(cm, labels)
		return controllerutil.SetControllerReference(web, cm, r.Scheme)
	}); err != nil {
		return ctrl.Result{}, err
	}

	web.Status.Conditions = readyCondition(web, dep)
	if err := r.Status().Update(ctx, web); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

func (r *BookReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&webv1.Web{}).
		// The scaffolded okt controller's parallelism: the same for all.
		WithOptions(controller.Options{MaxConcurrentReconciles: Workers}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ConfigMap{}).
		Named("web-book").
		Complete(r)
}
