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

	// +okt:scaffold:imports

	cachev1alpha1 "example.com/project-v3/api/v1alpha1"
)

// BackupReconciler reconciles a Backup object with the okt
// library: each reconcile runs the Stepper engine over backupSteps.
type BackupReconciler struct {
	client.Client
	Scheme *runtime.Scheme
	// Recorder records an Event on the Backup for each change okt makes;
	// SetupWithManager sets it from the manager when it is nil.
	Recorder record.EventRecorder
}

// +kubebuilder:rbac:groups=cache.example.com,resources=backups,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=cache.example.com,resources=backups/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=cache.example.com,resources=backups/finalizers,verbs=update
// +kubebuilder:rbac:groups=core,resources=events,verbs=create;patch
// +okt:scaffold:rbac

// Reconcile reads the Backup, runs the okt Stepper engine on it, and writes
// its status (the Ready condition) and finalizer. Put your code in the
// steps below, not here.
func (r *BackupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.oktReconciler().Reconcile(ctx, req)
}

// oktReconciler returns the okt Reconciler. It keeps no per-reconcile state, so one
// per call is as good as a shared one.
func (r *BackupReconciler) oktReconciler() *okt.Reconciler[*cachev1alpha1.Backup] {
	engine := engines.NewStepper[*cachev1alpha1.Backup](backupSteps{})
	// USER CODE (options): add okt options here, for example
	// okt.WithMaxCreations(5) or okt.WithResync(10*time.Minute).
	return okt.New[*cachev1alpha1.Backup](r.Client, engine, okt.WithEventRecorder(r.Recorder))
}

// backupSteps is the code the Stepper engine runs in each state.
// Every method is optional: a deleted method falls back to
// engines.DefaultSteps. Return an error to go to OnError (retried with
// backoff); call s.GiveUp for an error no retry can fix.
type backupSteps struct {
	engines.DefaultSteps[*cachev1alpha1.Backup]
}

// CheckCR runs first: check s.CR() (its spec's semantics) here.
func (st backupSteps) CheckCR(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error {
	// USER CODE (CRChecker): validate s.CR().Spec.
	return st.DefaultSteps.CheckCR(ctx, s)
}

// backupBuilders returns the builders of the resources a Backup
// owns. `okt create resource` adds them at the marker.
func backupBuilders() []okt.Builder[*cachev1alpha1.Backup] {
	return []okt.Builder[*cachev1alpha1.Backup]{
		// +okt:scaffold:resources
	}
}

// GetObjects registers the resources the Backup owns.
func (st backupSteps) GetObjects(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error {
	// USER CODE (ObjectsGetter): register resources built by hand with s.Register.
	return s.RegisterBuilders(ctx, backupBuilders()...)
}

// Mutate computes the desired state of every registered resource.
func (st backupSteps) Mutate(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error {
	// USER CODE (Mutator): code to run before or after the mutations.
	return st.DefaultSteps.Mutate(ctx, s)
}

// Update creates the missing resources and updates the changed ones.
func (st backupSteps) Update(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error {
	// USER CODE (Updater): code to run before or after the writes.
	return st.DefaultSteps.Update(ctx, s)
}

// OnSuccess runs after a successful Update, before Ready is set to True.
func (st backupSteps) OnSuccess(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error {
	// USER CODE (SuccessManager): fill s.CR().Status here.
	return st.DefaultSteps.OnSuccess(ctx, s)
}

// OnError runs after a failure, before Ready is set to False.
func (st backupSteps) OnError(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error {
	// USER CODE (ErrorManager): react to the failure in s.Results().
	return st.DefaultSteps.OnError(ctx, s)
}

// USER CODE (CRFinalizer): to clean up when a Backup is deleted, add
//
//	func (st backupSteps) Finalize(ctx context.Context, s *okt.Scope[*cachev1alpha1.Backup]) error
//
// okt then adds a finalizer and removes it once Finalize succeeded.

// SetupWithManager sets up the controller with the Manager.
func (r *BackupReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Recorder == nil {
		r.Recorder = mgr.GetEventRecorderFor("backup-controller")
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&cachev1alpha1.Backup{}).
		// okt's reconciles share no state: several run at once, so that a slow
		// answer of the API server holds one Backup, not all of them (with one
		// worker, 0 of 100 custom resources got Ready in a minute of faults that
		// 8 workers rode out in 25 s: okt/internal/reliability's TestFaults).
		WithOptions(controller.Options{MaxConcurrentReconciles: 8}).
		// +okt:scaffold:owns
		Named("backup").
		Complete(r)
}
