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
	batchv1 "k8s.io/api/batch/v1"

	// +okt:scaffold:imports

	cachev1alpha1 "example.com/project-v3/api/v1alpha1"
)

// DatastoreReconciler reconciles a Datastore object with the okt
// library: each reconcile runs the Stepper engine over datastoreSteps.
type DatastoreReconciler struct {
	client.Client
	Scheme *runtime.Scheme
	// Recorder records an Event on the Datastore for each change okt makes;
	// SetupWithManager sets it from the manager when it is nil.
	Recorder record.EventRecorder
}

// +kubebuilder:rbac:groups=cache.example.com,resources=datastores,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=cache.example.com,resources=datastores/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cache.example.com,resources=datastores/finalizers,verbs=update
// +kubebuilder:rbac:groups=core,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=apps,resources=statefulsets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=batch,resources=jobs,verbs=get;list;watch;create;update;patch;delete
// +okt:scaffold:rbac

// Reconcile reads the Datastore, runs the okt Stepper engine on it, and writes
// its status (the Ready condition) and finalizer. Put your code in the
// steps below, not here.
func (r *DatastoreReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.oktReconciler().Reconcile(ctx, req)
}

// oktReconciler returns the okt Reconciler. It keeps no per-reconcile state, so one
// per call is as good as a shared one.
func (r *DatastoreReconciler) oktReconciler() *okt.Reconciler[*cachev1alpha1.Datastore] {
	engine := engines.NewStepper[*cachev1alpha1.Datastore](datastoreSteps{})
	// USER CODE (options): add okt options here, for example
	// okt.WithMaxCreations(5) or okt.WithResync(10*time.Minute).
	return okt.New[*cachev1alpha1.Datastore](r.Client, engine, okt.WithEventRecorder(r.Recorder))
}

// datastoreSteps is the code the Stepper engine runs in each state.
// Every method is optional: a deleted method falls back to
// engines.DefaultSteps. Return an error to go to OnError (retried with
// backoff); call s.GiveUp for an error no retry can fix.
type datastoreSteps struct {
	engines.DefaultSteps[*cachev1alpha1.Datastore]
}

// CheckCR runs first: check s.CR() (its spec's semantics) here.
func (st datastoreSteps) CheckCR(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error {
	// USER CODE (CRChecker): validate s.CR().Spec.
	return st.DefaultSteps.CheckCR(ctx, s)
}

// datastoreBuilders returns the builders of the resources a Datastore
// owns. `okt create resource` adds them at the marker.
func datastoreBuilders() []okt.Builder[*cachev1alpha1.Datastore] {
	return []okt.Builder[*cachev1alpha1.Datastore]{
		newDatastoreDatastoreStatefulSet,
		newDatastoreMigrateJob,
		// +okt:scaffold:resources
	}
}

// GetObjects registers the resources the Datastore owns.
func (st datastoreSteps) GetObjects(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error {
	// USER CODE (ObjectsGetter): register resources built by hand with s.Register.
	return s.RegisterBuilders(ctx, datastoreBuilders()...)
}

// Mutate computes the desired state of every registered resource.
func (st datastoreSteps) Mutate(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error {
	// USER CODE (Mutator): code to run before or after the mutations.
	return st.DefaultSteps.Mutate(ctx, s)
}

// Update creates the missing resources and updates the changed ones.
func (st datastoreSteps) Update(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error {
	// USER CODE (Updater): code to run before or after the writes.
	return st.DefaultSteps.Update(ctx, s)
}

// OnSuccess runs after a successful Update, before Ready is set to True.
func (st datastoreSteps) OnSuccess(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error {
	// USER CODE (SuccessManager): fill s.CR().Status here.
	// The application's lifecycle (datastore_lifecycle.go), from the objects'
	// readiness and its health check.
	if err := driveDatastoreLifecycle(ctx, s); err != nil {
		return err
	}
	return st.DefaultSteps.OnSuccess(ctx, s)
}

// OnError runs after a failure, before Ready is set to False.
func (st datastoreSteps) OnError(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error {
	// USER CODE (ErrorManager): react to the failure in s.Results().
	return st.DefaultSteps.OnError(ctx, s)
}

// USER CODE (CRFinalizer): to clean up when a Datastore is deleted, add
//
//	func (st datastoreSteps) Finalize(ctx context.Context, s *okt.Scope[*cachev1alpha1.Datastore]) error
//
// okt then adds a finalizer and removes it once Finalize succeeded.

// SetupWithManager sets up the controller with the Manager.
func (r *DatastoreReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Recorder == nil {
		r.Recorder = mgr.GetEventRecorderFor("datastore-controller")
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cachev1alpha1.Datastore{}).
		// okt's reconciles share no state: several run at once, so that a slow
		// answer of the API server holds one Datastore, not all of them (with one
		// worker, 0 of 100 custom resources got Ready in a minute of faults that
		// 8 workers rode out in 25 s: okt/internal/reliability's TestFaults).
		WithOptions(controller.Options{MaxConcurrentReconciles: 8}).
		Owns(&appsv1.StatefulSet{}).
		Owns(&batchv1.Job{}).
		// +okt:scaffold:owns
		Named("datastore").
		Complete(r)
}
