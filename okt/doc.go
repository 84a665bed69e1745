// Package okt is a reconciler framework on controller-runtime.
//
// A Reconciler[T] reads the custom resource of type T named by a request,
// hands a per-call Scope to an Engine (the Stepper state machine or FreeStyle,
// see package engines), and then does what every operator must do right:
// writes the Ready and Stalled conditions (kstatus-compatible, with
// observedGeneration) by patch and only when they changed, adds and removes
// its finalizer, and turns the record of the reconcile's operations into a
// controller-runtime result (see package results).
//
// Steps register the objects the custom resource owns (package resources) in
// the Scope, and the Scope's *AllResources operations create, update and
// delete them with change detection: a reconcile where nothing changed sends
// no write request at all.
//
// Two modes: Advanced (the default) creates, updates and deletes; Basic only
// creates.
package okt
