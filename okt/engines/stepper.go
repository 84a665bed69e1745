package engines

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/results"
	"github.com/okt-dev/okt/okt/statemachine"
)

// The states of the Stepper.
const (
	CRChecker      statemachine.State = "CRChecker"
	CRFinalizer    statemachine.State = "CRFinalizer"
	ObjectsGetter  statemachine.State = "ObjectsGetter"
	Mutator        statemachine.State = "Mutator"
	Updater        statemachine.State = "Updater"
	SuccessManager statemachine.State = "SuccessManager"
	ErrorManager   statemachine.State = "ErrorManager"
	GiveUp         statemachine.State = "GiveUp"
	End            statemachine.State = "End"
)

// Priorities of the Stepper's transitions: the higher is tried first.
const (
	priorityError    = 3
	priorityGiveUp   = 2
	priorityDeletion = 1
)

// Stepper is the engine that runs Steps on OKT's state graph (see the package
// documentation). It keeps no per-reconcile state: one Stepper serves
// concurrent reconciles.
type Stepper[T client.Object] struct {
	steps     Steps[T]
	finalizer Finalizer[T]
	machine   *statemachine.Machine[*okt.Scope[T]]
}

var (
	_ okt.Engine[client.Object] = (*Stepper[client.Object])(nil)
	_ okt.Finalizing            = (*Stepper[client.Object])(nil)
)

// NewStepper returns a Stepper that runs steps; nil steps run DefaultSteps.
// If steps implements Finalizer, the Stepper finalizes (see Finalizes).
func NewStepper[T client.Object](steps Steps[T]) *Stepper[T] {
	if steps == nil {
		steps = DefaultSteps[T]{}
	}
	st := &Stepper[T]{steps: steps}
	st.finalizer, _ = steps.(Finalizer[T])
	st.machine = st.graph()
	return st
}

// Guards of the transitions, evaluated on the results recorded so far.
func failed[T client.Object](s *okt.Scope[T]) bool {
	return s.Results().HasError() && !s.Results().GivenUp()
}

func gaveUp[T client.Object](s *okt.Scope[T]) bool { return s.Results().GivenUp() }

func deleting[T client.Object](s *okt.Scope[T]) bool { return s.IsBeingDeleted() }

// graph builds the state graph of the Stepper.
func (st *Stepper[T]) graph() *statemachine.Machine[*okt.Scope[T]] {
	m := statemachine.New[*okt.Scope[T]](CRChecker)
	// onFailure adds the error and give-up transitions every step has.
	onFailure := func(n *statemachine.Node[*okt.Scope[T]]) *statemachine.Node[*okt.Scope[T]] {
		return n.When(ErrorManager, priorityError, "error", failed[T]).
			When(GiveUp, priorityGiveUp, "give-up", gaveUp[T])
	}
	onFailure(m.Add(CRChecker, st.step("CheckCR", st.steps.CheckCR))).
		When(CRFinalizer, priorityDeletion, "being deleted", deleting[T]).
		Otherwise(ObjectsGetter)
	onFailure(m.Add(ObjectsGetter, st.step("GetObjects", st.steps.GetObjects))).Otherwise(Mutator)
	onFailure(m.Add(Mutator, st.step("Mutate", st.steps.Mutate))).Otherwise(Updater)
	onFailure(m.Add(Updater, st.step("Update", st.steps.Update))).Otherwise(SuccessManager)
	onFailure(m.Add(CRFinalizer, st.finalize)).Otherwise(End)
	onFailure(m.Add(SuccessManager, st.manageSuccess)).Otherwise(End)
	m.Add(ErrorManager, st.manageError).
		When(GiveUp, priorityGiveUp, "give-up", gaveUp[T]).
		Otherwise(End)
	m.Add(GiveUp, st.giveUp).Otherwise(End)
	m.Add(End, nil)
	return m
}

// step returns the action of a state that runs one step.
func (st *Stepper[T]) step(name string, fn stepFunc[T]) statemachine.Action[*okt.Scope[T]] {
	return func(ctx context.Context, s *okt.Scope[T]) error {
		runStep(ctx, s, name, fn)
		return nil
	}
}

func (st *Stepper[T]) finalize(ctx context.Context, s *okt.Scope[T]) error {
	if st.finalizer != nil {
		runStep(ctx, s, "Finalize", st.finalizer.Finalize)
	}
	return nil
}

func (st *Stepper[T]) manageSuccess(ctx context.Context, s *okt.Scope[T]) error {
	runStep(ctx, s, "OnSuccess", st.steps.OnSuccess)
	if !s.Results().HasError() {
		s.ManageSuccess()
	}
	return nil
}

func (st *Stepper[T]) manageError(ctx context.Context, s *okt.Scope[T]) error {
	runStep(ctx, s, "OnError", st.steps.OnError)
	s.ManageError()
	return nil
}

func (st *Stepper[T]) giveUp(_ context.Context, s *okt.Scope[T]) error {
	s.ManageError()
	return nil
}

// Run drives one reconcile through the graph, records the path with
// s.SetPath and logs it at V(1).
func (st *Stepper[T]) Run(ctx context.Context, s *okt.Scope[T]) {
	log := logr.FromContextOrDiscard(ctx)
	var path statemachine.Path
	err := protect(ctx, "Stepper", func() error {
		var err error
		path, err = st.machine.Run(ctx, s)
		return err
	})
	s.SetPathOf(path)
	if log.V(1).Enabled() {
		log.V(1).Info("stepper path", "path", s.Path())
	}
	if err == nil {
		return
	}
	// The graph has no loop and its actions return no error: this is a bug.
	op := results.ImplementationConcern
	if errors.Is(err, statemachine.ErrTooManyTransitions) {
		op = results.InfiniteLoop
	}
	s.Results().Add(okt.CRResource, op, fmt.Errorf("stepper stopped: %w", err), 0)
	s.ManageError()
}

// Finalizes reports whether the steps implement Finalizer.
func (st *Stepper[T]) Finalizes() bool { return st.finalizer != nil }

// Mermaid renders the Stepper's graph as a Mermaid state diagram.
func (st *Stepper[T]) Mermaid() string { return st.machine.Mermaid() }
