package okt

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Engine drives one reconcile of a custom resource of type T, once the
// Reconciler has read it. It records everything that happened (errors,
// give-ups, requeues) in s.Results(); the Reconciler consolidates them, writes
// the status and the finalizer, and returns the controller-runtime result.
//
// Run is called concurrently for different custom resources, each with its
// own Scope: an engine must keep no per-reconcile state of its own.
type Engine[T client.Object] interface {
	Run(ctx context.Context, s *Scope[T])
}

// Finalizing is implemented by engines that declare a finalization step. When
// Finalizes reports true, the Reconciler adds its finalizer to the custom
// resource, runs the engine when the resource is deleted, and removes the
// finalizer only once a reconcile of the deleted resource succeeded.
type Finalizing interface {
	Finalizes() bool
}

// EngineFunc adapts a function to Engine.
type EngineFunc[T client.Object] func(ctx context.Context, s *Scope[T])

// Run calls f.
func (f EngineFunc[T]) Run(ctx context.Context, s *Scope[T]) { f(ctx, s) }
