// Package engines holds okt's two engines, the strategies a Reconciler uses
// to drive one reconcile of a custom resource: the Stepper and FreeStyle.
//
// # Stepper
//
// The Stepper runs OKT's fixed graph of steps on a state machine (package
// statemachine). The operator writes the steps (see Steps), usually by
// embedding DefaultSteps and overriding what it needs:
//
//	type MemcachedSteps struct {
//		engines.DefaultSteps[*v1alpha1.Memcached]
//	}
//
//	func (MemcachedSteps) GetObjects(ctx context.Context, s *okt.Scope[*v1alpha1.Memcached]) error {
//		return s.Register(ctx, newDeployment(s.CR()))
//	}
//
//	reconciler := okt.New(mgr.GetClient(), engines.NewStepper[*v1alpha1.Memcached](MemcachedSteps{}))
//
// The graph, each state's children in the order they are tried (the last is
// the default):
//
//	CRChecker      ErrorManager, GiveUp, CRFinalizer, ObjectsGetter
//	ObjectsGetter  ErrorManager, GiveUp, Mutator
//	Mutator        ErrorManager, GiveUp, Updater
//	Updater        ErrorManager, GiveUp, SuccessManager
//	CRFinalizer    ErrorManager, GiveUp, End
//	SuccessManager ErrorManager, GiveUp, End
//	ErrorManager   GiveUp, End
//	GiveUp         End
//
// After each state the Stepper looks at the reconcile's results: a give-up
// leads to GiveUp, any other error (including one recorded by a resource
// operation while the step itself returned nil) to ErrorManager, a custom
// resource being deleted to CRFinalizer, and otherwise the default child is
// taken. The states call CheckCR, Finalize, GetObjects, Mutate, Update,
// OnSuccess (then Scope.ManageSuccess) and OnError (then Scope.ManageError);
// GiveUp calls Scope.ManageError. The path through the graph is recorded with
// Scope.SetPath and logged at V(1), for example
//
//	>CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>End
//	>CRChecker>ObjectsGetter>ErrorManager>End
//	>CRChecker>GiveUp>End
//	>CRChecker>CRFinalizer>End
//
// # FreeStyle
//
// FreeStyle runs one user function, then Scope.ManageSuccess or
// Scope.ManageError. WithFinalize adds a finalization function.
//
// # Errors, give-ups and panics
//
// An error returned by a step is recorded with Scope.Fail, unless the results
// already hold it (the *AllResources operations and Scope.Register record the
// errors they return). A returned give-up (a results.GiveUpError, possibly
// wrapped, nested or nil) is recorded with Scope.GiveUp, flattened, once. A
// panic in a step is recovered, logged with its stack and recorded as a
// *PanicError: it never crashes the controller.
package engines
