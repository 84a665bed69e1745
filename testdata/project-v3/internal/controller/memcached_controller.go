package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	rbacv1 "k8s.io/api/rbac/v1"
	// +okt:scaffold:imports

	cachev1alpha1 "example.com/project-v3/api/v1alpha1"
)

// MemcachedReconciler reconciles a Memcached object with the okt
// library: each reconcile runs the Stepper engine over memcachedSteps.
type MemcachedReconciler struct {
	client.Client
	Scheme *runtime.Scheme
	// Recorder records an Event on the Memcached for each change okt makes;
	// SetupWithManager sets it from the manager when it is nil.
	Recorder record.EventRecorder
}

// +kubebuilder:rbac:groups=cache.example.com,resources=memcacheds,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=cache.example.com,resources=memcacheds/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cache.example.com,resources=memcacheds/finalizers,verbs=update
// +kubebuilder:rbac:groups=core,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=core,resources=services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=core,resources=configmaps,verbs=get;list;watch;create;update;patch;delete
// The ClusterRoles it creates may grant permissions the operator does not hold itself:
// the API server then requires escalate (to create or change them) and bind (to bind them).
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=clusterroles,verbs=get;list;watch;create;update;patch;delete;bind;escalate
// +okt:scaffold:rbac

// Reconcile reads the Memcached, runs the okt Stepper engine on it, and writes
// its status (the Ready condition) and finalizer. Put your code in the
// steps below, not here.
func (r *MemcachedReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.oktReconciler().Reconcile(ctx, req)
}

// oktReconciler returns the okt Reconciler. It keeps no per-reconcile state, so one
// per call is as good as a shared one.
func (r *MemcachedReconciler) oktReconciler() *okt.Reconciler[*cachev1alpha1.Memcached] {
	engine := engines.NewStepper[*cachev1alpha1.Memcached](memcachedSteps{})
	// USER CODE (options): add okt options here, for example
	// okt.WithMaxCreations(5) or okt.WithResync(10*time.Minute).
	return okt.New[*cachev1alpha1.Memcached](r.Client, engine, okt.WithEventRecorder(r.Recorder))
}

// memcachedSteps is the code the Stepper engine runs in each state.
// Every method is optional: a deleted method falls back to
// engines.DefaultSteps. Return an error to go to OnError (retried with
// backoff); call s.GiveUp for an error no retry can fix.
type memcachedSteps struct {
	engines.DefaultSteps[*cachev1alpha1.Memcached]
}

// CheckCR runs first: check s.CR() (its spec's semantics) here.
func (st memcachedSteps) CheckCR(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error {
	// USER CODE (CRChecker): validate s.CR().Spec.
	return st.DefaultSteps.CheckCR(ctx, s)
}

// memcachedBuilders returns the builders of the resources a Memcached
// owns. `okt create resource` adds them at the marker.
func memcachedBuilders() []okt.Builder[*cachev1alpha1.Memcached] {
	return []okt.Builder[*cachev1alpha1.Memcached]{
		newMemcachedMemcachedDeployment,
		newMemcachedMemcachedService,
		newMemcachedSettingsConfigMap,
		newMemcachedAlertsConfigMap,
		newMemcachedReaderClusterRole,
		// +okt:scaffold:resources
	}
}

// GetObjects registers the resources the Memcached owns.
func (st memcachedSteps) GetObjects(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error {
	// USER CODE (ObjectsGetter): register resources built by hand with s.Register.
	return s.RegisterBuilders(ctx, memcachedBuilders()...)
}

// Mutate computes the desired state of every registered resource.
func (st memcachedSteps) Mutate(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error {
	// USER CODE (Mutator): code to run before or after the mutations.
	return st.DefaultSteps.Mutate(ctx, s)
}

// Update creates the missing resources and updates the changed ones.
func (st memcachedSteps) Update(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error {
	// USER CODE (Updater): code to run before or after the writes.
	return st.DefaultSteps.Update(ctx, s)
}

// OnSuccess runs after a successful Update, before Ready is set to True.
func (st memcachedSteps) OnSuccess(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error {
	// USER CODE (SuccessManager): fill s.CR().Status here.
	return st.DefaultSteps.OnSuccess(ctx, s)
}

// OnError runs after a failure, before Ready is set to False.
func (st memcachedSteps) OnError(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error {
	// USER CODE (ErrorManager): react to the failure in s.Results().
	return st.DefaultSteps.OnError(ctx, s)
}

// USER CODE (CRFinalizer): to clean up when a Memcached is deleted, add
//
//	func (st memcachedSteps) Finalize(ctx context.Context, s *okt.Scope[*cachev1alpha1.Memcached]) error
//
// okt then adds a finalizer and removes it once Finalize succeeded.

// SetupWithManager sets up the controller with the Manager.
func (r *MemcachedReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Recorder == nil {
		r.Recorder = mgr.GetEventRecorderFor("memcached-controller")
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cachev1alpha1.Memcached{}).
		// okt's reconciles share no state: several run at once, so that a slow
		// answer of the API server holds one Memcached, not all of them (with one
		// worker, 0 of 100 custom resources got Ready in a minute of faults that
		// 8 workers rode out in 25 s: okt/internal/reliability's TestFaults).
		WithOptions(controller.Options{MaxConcurrentReconciles: 8}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ConfigMap{}).
		Watches(&rbacv1.ClusterRole{}, okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).
		// +okt:scaffold:owns
		Named("memcached").
		Complete(r)
}
