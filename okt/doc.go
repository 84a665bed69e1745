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
// Two modes: Advanced (the default) creates, updates, deletes and prunes;
// Basic only creates.
//
// # Ownership
//
// Each object gets a controller owner reference to the custom resource
// (unless built WithoutOwnerReference). An object of the same name that
// already exists with no controller is adopted: the next write gives it the
// owner reference, and its managed fields take the desired values. An object
// that another controller already controls is left alone: okt writes nothing
// to it, records an OwnerConflictError and sets Ready to False with a message
// naming that controller.
//
// # Pruning
//
// Objects okt created for a custom resource and no longer registered (a
// builder removed from the operator, or a conditional builder that returns a
// nil Resource for this custom resource) are deleted. The design:
//
//   - an inventory: okt records each object it creates, adopts, or finds
//     carrying the custom resource's identity without an entry (created by
//     a reconcile that died before it could record it) (apiVersion, kind,
//     namespace, name and UID, an inventory.Entry) in the custom resource's
//     status, when its Status struct has a field Inventory of type
//     []inventory.Entry (okt create api scaffolds it): the inventory then
//     goes out with the status write, at no extra request. Without the
//     field, okt records it in the InventoryAnnotation, with a patch of the
//     custom resource, and so it does while the API server does not keep the
//     field (a CustomResourceDefinition older than the Go type). An
//     annotation left by an older okt is read, moved to the status and
//     removed. okt never lists the cluster: pruning looks only at that list;
//   - only on a clean reconcile: after a reconcile where every step
//     succeeded, each inventory entry no longer registered is deleted, with
//     the entry's UID as a precondition, so an object deleted and created
//     again by someone else under the same name is never touched. After any
//     failure nothing is deleted;
//   - only what okt created: adopted objects, objects with the same labels,
//     and objects built WithoutPruning never enter the inventory;
//   - quiet: the inventory is written only when it changes (a creation or
//     a prune), always in the same order, so a steady state still sends no
//     write. Each pruned object is one delete request, logged with its
//     reason and recorded as results.Pruned.
//
// WithPruning(false) turns pruning off for a Reconciler, WithoutPruning for
// one resource.
//
// # Secrets
//
// No Secret value leaves okt: the reason of an update names the field that
// drifted and masks its values, and the values of the registered Secrets are
// masked (in clear and in base64) in the conditions' messages, the logged
// results and the error returned to controller-runtime.
package okt
