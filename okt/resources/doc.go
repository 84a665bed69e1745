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
// # Writes: server-side apply
//
// Every create and update is a server-side apply of the desired object's
// apply body under one field manager (Env.FieldManager; the okt Reconciler
// names it "okt-<kind>"), forcing its ownership of the fields it holds. The
// body is all the operator declares and nothing else: apiVersion, kind, name,
// namespace, labels, annotations, owner references, finalizers and
// everything outside metadata and status that the desired object sets. A
// zero (0, "", false) or an empty object or list that a Go type holds without
// the operator setting it (a non-pointer field: an IntOrString targetPort of
// 0, resources: {}) is left out, so okt never claims a field it did not set;
// one set on purpose is in (a non-nil pointer: replicas: ptr.To(0),
// allowPrivilegeEscalation: ptr.To(false), emptyDir: {}; a map entry; a list
// item; anything in an unstructured object). So, as the API server applies
// it:
//
//   - a field the operator stops declaring is removed from the live object,
//     unless another field manager owns it too;
//   - fields and list items other writers own are left alone: a sidecar
//     container a webhook injects, an env var or a volume mount it adds to the
//     operator's container, another controller's labels, an HPA's replicas
//     (with LeaveToOthers(".spec.replicas"));
//   - a field okt owns that another writer changed is set back.
//
// # Change detection: okt decides when to write
//
// Prepare computes the apply body; its SHA-256 (128 bits) is stored on the
// object in the annotation HashAnnotation. NeedsUpdate then decides without
// any request to the API server:
//
//   - the stored hash differs from the desired one: the desired state changed
//     (or the object was never written by okt), so it is applied;
//   - okt wrote the object before it applied (an Update entry of its former
//     field manager, no Apply entry of its own): its fields move to okt's
//     field manager (client-go's csaupgrade, one JSON patch) and it is
//     applied, so that fields removed since are removed;
//   - a field of the body differs on the live object (a live edit): it is set
//     back. Maps are compared key by key; lists keyed as the API server keys
//     them (containers and env vars by name, ports by port and protocol...,
//     read from the live object's managedFields, so custom resources too) item
//     by item, other writers' items ignored; atomic lists as a whole. The
//     drift names the field (".spec.template.spec.containers[name=app].image")
//     and the field manager that owns it now;
//   - otherwise nothing is sent, and the live object's UID and
//     resourceVersion are remembered: the same object is not compared again
//     until it changes. The object a create or an update answered with is
//     compared at once, and remembered too. A workload (Deployment,
//     StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) or a custom resource
//     whose generation and metadata are those remembered changed only its
//     status: it is not compared again either.
//
// The reason is returned by NeedsUpdate for the logs; for a Secret (or an
// object built Sensitive) it names the field and masks its values. A change
// the API server refuses because a field is immutable returns an
// *ImmutableError naming it, and is not sent again to the same live object;
// RecreateOnImmutableChange deletes the object instead, to create it anew.
//
// A cache that strips managedFields (cache.TransformStripManagedFields)
// leaves drift detection to guess list keys (name, containerPort, port,
// mountPath...), and an object okt wrote before it applied is then not
// migrated until it is read with them: keep them in the cache.
//
// A Registry holds the resources of one reconcile and rejects duplicates.
// ReadinessOf tells whether a live object is ready, after kstatus
// (sigs.k8s.io/cli-utils/pkg/kstatus) with the exceptions an operator's
// Ready needs: a Job complete, a Pod that failed Failed (docs/readiness.md).
//
// Any kind works, an *unstructured.Unstructured too (a custom resource of
// another operator). An object a namespaced owner cannot reference
// (cluster-scoped, or in another namespace) carries okt's owner label
// (OwnerUIDLabel) instead of an owner reference. DependsOn orders the
// resources; WithAdoption says what happens to an object that exists
// already (docs/owned-objects.md).
package resources
