package engines

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
)

// Steps are the operator's code run by the Stepper, one method per state.
// Each step may record operations in s.Results() (directly, or through the
// Scope's operations) and may return an error; see the package documentation
// for how errors and give-ups are recorded and routed.
type Steps[T client.Object] interface {
	// CheckCR checks the custom resource, for example its spec's semantics.
	// Return a results.GiveUpError (or call s.GiveUp) for a spec that no
	// retry can fix. It runs when the resource is being deleted too: a failure
	// then holds finalization back, so skip checks finalization does not need
	// (see s.IsBeingDeleted).
	CheckCR(ctx context.Context, s *okt.Scope[T]) error
	// GetObjects registers the resources the custom resource owns.
	GetObjects(ctx context.Context, s *okt.Scope[T]) error
	// Mutate computes the desired state of the registered resources.
	Mutate(ctx context.Context, s *okt.Scope[T]) error
	// Update creates, and in Advanced mode updates, the registered resources.
	Update(ctx context.Context, s *okt.Scope[T]) error
	// OnSuccess runs after a successful Update, before s.ManageSuccess: the
	// place to fill the custom resource's status.
	OnSuccess(ctx context.Context, s *okt.Scope[T]) error
	// OnError runs after a failure, before s.ManageError.
	OnError(ctx context.Context, s *okt.Scope[T]) error
}

// Finalizer is implemented by Steps that clean up when the custom resource is
// deleted. With it, the Reconciler adds its finalizer to the resource and
// removes it only once Finalize succeeded.
type Finalizer[T client.Object] interface {
	Finalize(ctx context.Context, s *okt.Scope[T]) error
}

// DefaultSteps implements Steps with OKT's defaults. Embed it in a struct
// and override the steps the operator needs.
type DefaultSteps[T client.Object] struct{}

var _ Steps[client.Object] = DefaultSteps[client.Object]{}

// CheckCR accepts any custom resource.
func (DefaultSteps[T]) CheckCR(context.Context, *okt.Scope[T]) error { return nil }

// GetObjects registers nothing.
func (DefaultSteps[T]) GetObjects(context.Context, *okt.Scope[T]) error { return nil }

// Mutate computes the desired state of every registered resource with
// s.MutateAllResources.
func (DefaultSteps[T]) Mutate(ctx context.Context, s *okt.Scope[T]) error {
	return s.MutateAllResources(ctx)
}

// Update calls s.CreateOrUpdateAllResources, or s.CreateAllResources in
// Basic mode.
func (DefaultSteps[T]) Update(ctx context.Context, s *okt.Scope[T]) error {
	if s.Mode() == okt.Basic {
		return s.CreateAllResources(ctx)
	}
	return s.CreateOrUpdateAllResources(ctx)
}

// OnSuccess does nothing.
func (DefaultSteps[T]) OnSuccess(context.Context, *okt.Scope[T]) error { return nil }

// OnError does nothing.
func (DefaultSteps[T]) OnError(context.Context, *okt.Scope[T]) error { return nil }
