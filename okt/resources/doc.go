// Package resources models the Kubernetes objects an operator owns, and keeps
// them as the operator wants them with as few API requests as possible.
//
// A Resource (New) is created from its initial data and never updated; a
// MutableResource (NewMutable) is also kept up to date. Initial data is a Go
// struct, or a YAML template rendered with Render (text/template, a missing
// key is an error). Both are generic over any client.Object, built-in or
// custom. By default the desired object gets a controller owner reference to
// the custom resource (see WithoutOwnerReference).
//
// # Change detection
//
// Prepare computes the desired object and, from it, the managed fields: the
// labels and annotations it sets and everything it sets outside metadata and
// status (nulls, empty maps and empty lists do not count). Their SHA-256
// (128 bits) is stored on the object in the annotation HashAnnotation.
// NeedsUpdate then decides without any request to the API server:
//
//   - the stored hash differs from the desired one: the desired state changed
//     (or the object was never written by okt), so it is written;
//   - a managed field of the live object differs from the desired value (a
//     live edit): it is corrected. Zero values (0, "", false) that the Go
//     type leaves to the server (non-pointer fields, such as an IntOrString
//     targetPort of 0) are not compared, since the API server may default
//     them. Zeros the operator wrote on purpose are compared like any other
//     value: a non-nil pointer (replicas: ptr.To(0),
//     allowPrivilegeEscalation: ptr.To(false)), a map entry, a list item, and
//     everything in an unstructured object. Explicitness is read from the
//     typed desired object, so a template that sets a pointer field sets it
//     explicitly. Lists are compared item by item and must have the same
//     length;
//   - otherwise nothing is sent. Fields the operator does not set (server
//     defaults, a Service's clusterIP, annotations added by others) are never
//     compared and never written.
//
// Update sends one JSON merge patch holding only the fields that differ. Its
// reason is returned by NeedsUpdate for the logs; for a Secret (or an object
// built Sensitive) the reason names the field and masks its values. Removing a field from the
// desired state does not remove it from the live object: set it explicitly.
//
// A Registry holds the resources of one reconcile and rejects duplicates.
// Ready tells whether a Deployment, StatefulSet, DaemonSet, Job or
// PersistentVolumeClaim is ready.
package resources
