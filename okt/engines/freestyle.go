package engines

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
)

// FreeStyle is the engine that runs one user function, then s.ManageSuccess
// or, if anything failed, s.ManageError.
type FreeStyle[T client.Object] struct {
	fn       func(ctx context.Context, s *okt.Scope[T]) error
	finalize func(ctx context.Context, s *okt.Scope[T]) error
}

var (
	_ okt.Engine[client.Object] = (*FreeStyle[client.Object])(nil)
	_ okt.Finalizing            = (*FreeStyle[client.Object])(nil)
)

// FreeStyleOption configures a FreeStyle engine.
type FreeStyleOption[T client.Object] func(*FreeStyle[T])

// WithFinalize declares a finalization function, run instead of the main one
// when the custom resource is being deleted. The Reconciler then adds its
// finalizer and removes it once fn succeeded.
func WithFinalize[T client.Object](fn func(ctx context.Context, s *okt.Scope[T]) error) FreeStyleOption[T] {
	return func(f *FreeStyle[T]) { f.finalize = fn }
}

// NewFreeStyle returns a FreeStyle engine that runs fn on every reconcile of
// a custom resource that is not being deleted. Errors, give-ups and panics of
// fn are recorded as the Stepper records those of its steps.
func NewFreeStyle[T client.Object](fn func(ctx context.Context, s *okt.Scope[T]) error, opts ...FreeStyleOption[T]) *FreeStyle[T] {
	f := &FreeStyle[T]{fn: fn}
	for _, o := range opts {
		o(f)
	}
	return f
}

// Run runs the function (the finalization function when the custom resource
// is being deleted; nothing if there is none), then manages the status.
func (f *FreeStyle[T]) Run(ctx context.Context, s *okt.Scope[T]) {
	name, fn := "FreeStyle", f.fn
	if s.IsBeingDeleted() {
		name, fn = "Finalize", f.finalize
	}
	if fn == nil {
		return
	}
	runStep(ctx, s, name, fn)
	if s.Results().HasError() {
		s.ManageError()
	} else {
		s.ManageSuccess()
	}
}

// Finalizes reports whether WithFinalize was given.
func (f *FreeStyle[T]) Finalizes() bool { return f.finalize != nil }
