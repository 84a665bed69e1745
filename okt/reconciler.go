package okt

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt/results"
)

// Reconciler reconciles custom resources of type T (a pointer to a struct,
// such as *v1alpha1.Memcached) through an Engine.
//
// A Reconciler keeps no per-reconcile state: each call to Reconcile works on
// its own Scope, so any MaxConcurrentReconciles is safe.
type Reconciler[T client.Object] struct {
	client client.Client
	engine Engine[T]
	opts   options
	newT   func() T
}

var _ reconcile.Reconciler = &Reconciler[client.Object]{}

func defaultOptions() options {
	return options{mode: Advanced, creationDelay: time.Second, prune: true, readinessRequeue: 10 * time.Second, fight: DefaultFightRule}
}

// New returns a Reconciler that reads and writes through c (whose scheme must
// know T) and drives each reconcile with engine.
func New[T client.Object](c client.Client, engine Engine[T], opts ...Option) *Reconciler[T] {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return &Reconciler[T]{client: c, engine: engine, opts: o, newT: newObject[T]}
}

// copyForStatus returns a copy of cr without its managedFields (the largest
// part of its metadata): the copy serves to find what the reconcile changed
// in the status, and the resourceVersion and finalizers read.
func copyForStatus[T client.Object](cr T) T {
	mf := cr.GetManagedFields()
	cr.SetManagedFields(nil)
	cp := cr.DeepCopyObject().(T)
	cr.SetManagedFields(mf)
	return cp
}

// newObject returns a new zero T, T being a pointer to a struct.
func newObject[T client.Object]() T {
	var zero T
	t := reflect.TypeOf(zero)
	if t == nil || t.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("okt: the custom resource type %T must be a pointer to a struct", zero))
	}
	return reflect.New(t.Elem()).Interface().(T)
}

// finalizerName returns the finalizer of this Reconciler for cr.
func (r *Reconciler[T]) finalizerName(cr T) string {
	if r.opts.finalizer != "" {
		return r.opts.finalizer
	}
	group := ""
	if gvk, err := apiutil.GVKForObject(cr, r.client.Scheme()); err == nil {
		group = gvk.Group
	}
	if group == "" {
		group = "okt.orange.com"
	}
	return group + "/finalizer"
}

func (r *Reconciler[T]) finalizes() bool {
	f, ok := r.engine.(Finalizing)
	return ok && f.Finalizes()
}

// Reconcile reads the custom resource named by req, adds the finalizer if the
// engine finalizes, runs the engine, writes the status when it changed,
// removes the finalizer once a deleted resource was finalized, logs the
// operations and returns the consolidated result.
func (r *Reconciler[T]) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	log := logFrom(ctx)
	cr := r.newT()
	if err := r.client.Get(ctx, req.NamespacedName, cr); err != nil {
		if apierrors.IsNotFound(err) {
			log.V(1).Info("custom resource not found: nothing to do")
			if gk, gkErr := GroupKind[T](r.client); gkErr == nil {
				reconcilesTotal.WithLabelValues(gk.Kind, "not_found").Inc()
			}
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, fmt.Errorf("cannot read %s: %w", req.NamespacedName, err)
	}
	original := copyForStatus(cr)
	s := newScope(ctx, r.client, cr, r.opts)
	defer s.flushEvents()
	start := time.Now()
	clock.seen(cr.GetUID(), cr.GetGeneration(), s.readyNow(), start)
	finalizes := r.finalizes()
	s.results.AddSuccess(CRResource, results.CRFetched)
	finalizer := r.finalizerName(cr)

	if s.deleting {
		if !controllerutil.ContainsFinalizer(cr, finalizer) {
			// Nothing of ours holds the resource: let it go.
			return reconcile.Result{}, nil
		}
		s.results.AddSuccess(CRResource, results.CRFinalizing)
	} else if finalizes && !controllerutil.ContainsFinalizer(cr, finalizer) {
		s.wrote(s.controller, causeFinalizer)
		if err := patchFinalizers(ctx, r.client, cr, append(cr.GetFinalizers(), finalizer)); err != nil {
			return reconcile.Result{}, fmt.Errorf("cannot add finalizer %s: %w", finalizer, err)
		}
		s.results.AddSuccess(CRResource, results.FinalizerAdded)
		original = copyForStatus(cr)
	}
	s.finalizer, s.original = finalizer, original

	if !s.deleting || finalizes {
		// A deleted custom resource runs the engine only for its Finalize
		// step: the finalizer may be okt's alone (objects it deletes itself).
		r.engine.Run(ctx, s)
	}
	inventory, inventoryChanged := s.prune(ctx)
	s.results.Redact(s.redact)
	if s.readySet && s.results.HasError() {
		// Pruning failed after the engine declared success.
		s.ManageError()
	}
	deleted := true
	if s.deleting && !s.results.HasError() {
		// The operator's cleanup done: okt deletes what the garbage
		// collector cannot (objects tied by owner label) and what goes in
		// order, and holds the custom resource until they are gone.
		deleted = s.deleteOwned(ctx)
	}

	if s.deleting && deleted && !s.results.HasError() {
		s.results.AddSuccess(CRResource, results.CRFinalized)
		s.wrote(s.controller, causeFinalizer)
		if err := patchFinalizers(ctx, r.client, cr, without(cr.GetFinalizers(), finalizer)); err != nil && !apierrors.IsNotFound(err) {
			s.results.Add(CRResource, results.FinalizerError, fmt.Errorf("cannot remove finalizer %s: %w", finalizer, err), 0)
		} else {
			s.results.AddSuccess(CRResource, results.FinalizerRemoved)
			s.results.Log(log)
			clock.forget(cr.GetUID())
			reconcilesTotal.WithLabelValues(s.controller, "finalized").Inc()
			return s.results.Result()
		}
	}

	if !s.readySet {
		if s.results.HasError() {
			s.ManageError()
		} else {
			s.ManageSuccess()
		}
	}
	if !s.deleting {
		s.fightConditions()
	}
	statusErr := s.writeStatus(ctx, original)
	if statusErr != nil {
		if apierrors.IsNotFound(statusErr) {
			return reconcile.Result{}, nil
		}
		s.results.Add(CRResource, results.StatusError, fmt.Errorf("cannot write the status: %w", statusErr), 0)
	}
	var inventoryErr error
	switch {
	case s.inv != nil:
		// In the status: the status write carried it.
		inventoryErr = s.finishInventory(ctx, original, statusErr)
	case inventoryChanged:
		inventoryErr = s.writeInventory(ctx, inventory)
	}
	if inventoryErr != nil && !apierrors.IsNotFound(inventoryErr) {
		s.results.Add(CRResource, results.CRUDError, fmt.Errorf("cannot record the inventory of created objects: %w", inventoryErr), 0)
	}
	s.results.Log(log)
	r.observe(s, time.Now())
	res, err := s.results.Result()
	if err == nil && r.opts.resync > 0 && !s.results.GivenUp() && (res.RequeueAfter == 0 || res.RequeueAfter > r.opts.resync) {
		res.RequeueAfter = r.opts.resync
	}
	return res, err
}

// observe records the outcome of a reconcile in the metrics, and the time it
// took the custom resource's generation to get Ready.
func (r *Reconciler[T]) observe(s *Scope[T], now time.Time) {
	outcome := "progressing"
	switch {
	case s.results.GivenUp():
		outcome = "gave_up"
	case s.results.OnlyConflicts():
		outcome = "conflict"
	case s.results.HasError():
		outcome = "error"
	case s.readyNow():
		outcome = "ready"
		if d, ok := clock.ready(s.cr.GetUID(), s.cr.GetGeneration(), now); ok {
			timeToReady.WithLabelValues(s.controller).Observe(d.Seconds())
		}
	case meta.IsStatusConditionTrue(s.conditions, ConditionStalled):
		outcome = "failed"
	}
	reconcilesTotal.WithLabelValues(s.controller, outcome).Inc()
}

// patchFinalizers sets the finalizers of cr with a merge patch guarded by the
// resourceVersion: finalizers are a list that others edit too, so a stale
// write must fail (and be retried) rather than drop theirs.
func patchFinalizers(ctx context.Context, c client.Client, cr client.Object, finalizers []string) error {
	if finalizers == nil {
		finalizers = []string{}
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"finalizers":      finalizers,
		"resourceVersion": cr.GetResourceVersion(),
	}})
	if err != nil {
		return err
	}
	return c.Patch(ctx, cr, client.RawPatch(types.MergePatchType, patch))
}

func without(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// GroupKind returns the group and kind of T as registered in scheme.
func GroupKind[T client.Object](c client.Client) (schema.GroupKind, error) {
	gvk, err := apiutil.GVKForObject(newObject[T](), c.Scheme())
	return gvk.GroupKind(), err
}
