package okt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/okt/results"
)

// CRResource is how operations on the custom resource itself are named in
// the results.
const CRResource = "CR"

// resName names r in results, logs and messages: its Key's String.
func resName(r resources.Resource) string {
	if n, ok := r.(resources.Named); ok {
		return n.Name()
	}
	return r.Key().String()
}

// Scope is the state of one reconcile of one custom resource: the resource
// as read at the start, the registry of the objects it owns, the results of
// every operation, and the status being built. The Reconciler creates one per
// call, so nothing is shared between concurrent reconciles.
//
// A Scope is not safe for concurrent use, except for Results, which is.
type Scope[T client.Object] struct {
	cr       T
	client   client.Client
	scheme   *runtime.Scheme
	opts     options
	log      logr.Logger
	results  *results.Results
	registry *resources.Registry
	path     string
	pathOf   fmt.Stringer // the path, rendered on need

	conditions []metav1.Condition // conditions to set, by type
	removedBuf [4]string          // backs removed: no allocation for a few
	readySet   bool
	creations  int
	deleting   bool
	removed    []string
	created    []resources.Resource // created in this reconcile, for the inventory
	inv        *statusInventory     // the inventory, when the status holds it
	controller string               // the custom resource's kind, for metrics
	gvk        string               // the custom resource's GroupVersionKind (or Go type)

	fieldManager string // okt's field manager in server-side apply

	finalizer string // the Reconciler's finalizer on the custom resource
	original  T      // the custom resource as read, for the status patch
	// held names the resources not written in this reconcile because a
	// resource they depend on is not ready, with what they wait for.
	held map[resources.Key]string
	// changes are the changes of this reconcile, for its one Normal Event.
	changes []noted

	read      []metav1.Condition // the CR's conditions as read, see readConditions
	readConds bool
}

// NewScope returns the Scope of a reconcile of cr. The Reconciler calls it;
// it is exported for tests of engines and steps.
func NewScope[T client.Object](ctx context.Context, c client.Client, cr T, opts ...Option) *Scope[T] {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	return newScope(ctx, c, cr, o)
}

func newScope[T client.Object](ctx context.Context, c client.Client, cr T, o options) *Scope[T] {
	controller, kind := kindNames(cr, c.Scheme())
	manager := o.fieldManager
	if manager == "" {
		manager = defaultFieldManager(controller)
	}
	return &Scope[T]{
		fieldManager: manager,
		cr:           cr,
		client:       c,
		scheme:       c.Scheme(),
		opts:         o,
		log:          logr.FromContextOrDiscard(ctx),
		results:      results.New(),
		registry:     resources.NewRegistry(),
		deleting:     !cr.GetDeletionTimestamp().IsZero(),
		controller:   controller,
		gvk:          kind,
	}
}

// kindNames returns the kind of cr ("Memcached") and its GroupVersionKind as
// a string, remembered per Go type and scheme.
func kindNames(cr client.Object, scheme *runtime.Scheme) (controller, kind string) {
	t := reflect.TypeOf(cr)
	key := kindKey{t, scheme}
	if v, ok := kindCache.Load(key); ok {
		n := v.([2]string)
		return n[0], n[1]
	}
	controller, kind = t.Elem().Name(), t.String()
	if gvk, err := apiutil.GVKForObject(cr, scheme); err == nil {
		controller, kind = gvk.Kind, gvk.String()
		kindCache.Store(key, [2]string{controller, kind})
	}
	return controller, kind
}

type kindKey struct {
	t      reflect.Type
	scheme *runtime.Scheme
}

// kindCache holds kindNames' answers.
var kindCache sync.Map

// managerNames remembers the default field manager of each controller.
var managerNames struct {
	sync.RWMutex
	m map[string]string
}

// defaultFieldManager returns "okt-" and the controller's kind in lower case.
func defaultFieldManager(controller string) string {
	managerNames.RLock()
	name, ok := managerNames.m[controller]
	managerNames.RUnlock()
	if ok {
		return name
	}
	name = "okt-" + strings.ToLower(controller)
	managerNames.Lock()
	if managerNames.m == nil {
		managerNames.m = map[string]string{}
	}
	managerNames.m[controller] = name
	managerNames.Unlock()
	return name
}

// wrote counts a write request in MetricWrites.
func (s *Scope[T]) wrote(kind, cause string) {
	writesTotal.WithLabelValues(s.controller, kind, cause).Inc()
}

// kindLabel is the kind label of an object's writes: "Deployment.apps",
// "ConfigMap".
func kindLabel(k resources.Key) string {
	if k.Group == "" {
		return k.Kind
	}
	return k.Kind + "." + k.Group
}

// CR returns the custom resource being reconciled. Changes to its status are
// written at the end of the reconcile; changes elsewhere are not written.
func (s *Scope[T]) CR() T { return s.cr }

// Client returns the client of the Reconciler.
func (s *Scope[T]) Client() client.Client { return s.client }

// Scheme returns the scheme of the client.
func (s *Scope[T]) Scheme() *runtime.Scheme { return s.scheme }

// Log returns the logger of this reconcile.
func (s *Scope[T]) Log() logr.Logger { return s.log }

// Results returns the record of this reconcile's operations.
func (s *Scope[T]) Results() *results.Results { return s.results }

// Registry returns the resources registered so far.
func (s *Scope[T]) Registry() *resources.Registry { return s.registry }

// Mode returns the mode of the Reconciler.
func (s *Scope[T]) Mode() Mode { return s.opts.mode }

// IsBeingDeleted reports whether the custom resource has a deletion
// timestamp.
func (s *Scope[T]) IsBeingDeleted() bool { return s.deleting }

// Path returns the path of the engine through its states so far, for example
// ">CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>End". It is empty
// for engines that have no states.
func (s *Scope[T]) Path() string {
	if s.pathOf != nil {
		s.path, s.pathOf = s.pathOf.String(), nil
	}
	return s.path
}

// SetPath records the engine's path. Engines call it.
func (s *Scope[T]) SetPath(path string) { s.path, s.pathOf = path, nil }

// SetPathOf records the engine's path as something that renders it when
// Path is called: an engine that records its path at every reconcile
// spends nothing on the text unless it is read (logs at V(1), tests).
func (s *Scope[T]) SetPathOf(path fmt.Stringer) { s.path, s.pathOf = "", path }

// env returns what resources need from this reconcile.
func (s *Scope[T]) env() resources.Env {
	return resources.Env{Client: s.client, Scheme: s.scheme, Owner: s.cr,
		FieldManager: s.fieldManager, LegacyFieldManagers: s.opts.legacyManagers}
}

// FieldManager returns the field manager of okt's writes to the objects this
// reconcile owns (see WithFieldManager).
func (s *Scope[T]) FieldManager() string { return s.fieldManager }

// Register adds resources to the registry and reads their live objects. A
// duplicate, or a failing read, is recorded as an error and returned; the
// other resources are still registered.
func (s *Scope[T]) Register(ctx context.Context, res ...resources.Resource) error {
	var errs []error
	for _, r := range res {
		name := resName(r)
		if err := s.registry.Add(r); err != nil {
			s.results.Add(name, results.RegistrationError, err, 0)
			errs = append(errs, err)
			continue
		}
		if err := r.Fetch(ctx, s.env()); err != nil {
			err = fmt.Errorf("cannot read %s: %w", name, err)
			s.results.Add(name, results.RegistrationError, err, 0)
			errs = append(errs, err)
			continue
		}
		s.results.AddSuccess(name, results.Registered)
	}
	return errors.Join(errs...)
}

// each runs fn on every registered resource, honouring WithStopOnError, and
// returns the joined errors.
func (s *Scope[T]) each(fn func(r resources.Resource) error) error {
	return s.eachOf(s.registry.Items(), fn)
}

// eachOf runs fn on each of list, honouring WithStopOnError, and returns the
// joined errors.
func (s *Scope[T]) eachOf(list []resources.Resource, fn func(r resources.Resource) error) error {
	var errs []error
	for _, r := range list {
		if err := fn(r); err != nil {
			errs = append(errs, err)
			if s.opts.stopOnError {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// MutateAllResources computes the desired state of every registered resource
// from its initial data and the custom resource. An error (for example a
// mutation that renames its object) is recorded and returned.
func (s *Scope[T]) MutateAllResources(ctx context.Context) error {
	return s.each(func(r resources.Resource) error { return s.mutate(ctx, r) })
}

func (s *Scope[T]) mutate(ctx context.Context, r resources.Resource) error {
	name := resName(r)
	if err := r.Prepare(ctx, s.env()); err != nil {
		err = fmt.Errorf("cannot mutate %s: %w", name, err)
		s.results.Add(name, results.MutationError, err, 0)
		return err
	}
	s.results.AddSuccess(name, results.Mutated)
	return nil
}

// CreateAllResources creates the registered resources that do not exist yet,
// at most WithMaxCreations per reconcile. Resources are prepared first if
// MutateAllResources was not called.
//
// Resources are handled in their order (see resources.DependsOn): one whose
// dependencies are not all ready is not created in this reconcile. The
// create requests of consecutive namespaced resources go out at once; a
// cluster-scoped one is created alone, after those before it.
func (s *Scope[T]) CreateAllResources(ctx context.Context) error {
	list, err := s.prepareWrites(ctx)
	if err != nil {
		return err
	}
	return s.writeAll(ctx, list, false)
}

// prepareWrites returns the registered resources in their order, after
// adding the Reconciler's finalizer to the custom resource when okt will
// have to delete owned objects itself (see needsFinalizer). An order that
// cannot be computed is recorded and returned.
func (s *Scope[T]) prepareWrites(ctx context.Context) ([]resources.Resource, error) {
	list, err := s.registry.Order()
	if err != nil {
		s.results.Add(CRResource, results.RegistrationError, err, 0)
		return nil, err
	}
	if s.needsFinalizer() {
		if err := s.ensureFinalizer(ctx); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// needsFinalizer reports whether okt must hold the custom resource with its
// finalizer when it is deleted, to delete owned objects itself: objects
// tied by owner label (cluster-scoped, or in another namespace), which the
// garbage collector cannot delete, or ordered ones (deleted in reverse
// order).
func (s *Scope[T]) needsFinalizer() bool {
	if s.deleting {
		return false
	}
	if s.registry.Ordered() {
		return true
	}
	for _, r := range s.registry.Items() {
		if lo, ok := r.(resources.OwnedByLabel); ok && lo.OwnedByLabel(s.cr) {
			return true
		}
	}
	return false
}

// ensureFinalizer adds the Reconciler's finalizer to the custom resource if
// it lacks it. Only the finalizers and the resourceVersion of the custom
// resource in memory change: what the engine set in it stays.
func (s *Scope[T]) ensureFinalizer(ctx context.Context) error {
	if s.finalizer == "" || controllerutil.ContainsFinalizer(s.cr, s.finalizer) {
		return nil
	}
	cp := s.cr.DeepCopyObject().(T)
	s.wrote(s.controller, causeFinalizer)
	if err := patchFinalizers(ctx, s.client, cp, append(cp.GetFinalizers(), s.finalizer)); err != nil {
		err = fmt.Errorf("cannot add finalizer %s (it holds the %s until okt deleted the objects it owns): %w", s.finalizer, s.controller, err)
		s.results.Add(CRResource, results.FinalizerError, err, 0)
		return err
	}
	for _, o := range []client.Object{s.cr, s.original} {
		if !reflect.ValueOf(o).IsNil() {
			o.SetFinalizers(cp.GetFinalizers())
			o.SetResourceVersion(cp.GetResourceVersion())
		}
	}
	s.results.AddSuccess(CRResource, results.FinalizerAdded)
	return nil
}

// waits reports whether r must wait for a resource it depends on that is
// not ready (or itself waits), and records what it waits for.
func (s *Scope[T]) waits(r resources.Resource) bool {
	var on []string
	for _, d := range s.registry.Dependencies(r) {
		if _, held := s.held[d.Key()]; held {
			on = append(on, readinessSubject(d.Key()))
			continue
		}
		if rr, ok := d.(resources.ReadinessReporter); ok && !rr.Readiness().Ready() {
			on = append(on, readinessSubject(d.Key()))
		}
	}
	if len(on) == 0 {
		return false
	}
	if s.held == nil {
		s.held = map[resources.Key]string{}
	}
	msg := "waiting for " + strings.Join(on, ", ")
	s.held[r.Key()] = msg
	s.results.AddSuccess(resName(r), results.AwaitingDependency)
	s.log.V(1).Info("not written yet", "resource", resName(r), "reason", msg)
	return true
}

func (s *Scope[T]) create(ctx context.Context, r resources.Resource) error {
	send, err := s.startCreate(ctx, r)
	if !send {
		return err
	}
	return s.finishCreate(r, r.Create(ctx, s.env()))
}

// startCreate does what a create of r needs before its request: it reports
// whether the request is to be sent, else the outcome (r exists, or waits
// for the creation limit, or cannot be prepared).
func (s *Scope[T]) startCreate(ctx context.Context, r resources.Resource) (send bool, err error) {
	if r.Exists() || s.awaitOwnCreate(ctx, r) {
		return false, s.checkOwner(r)
	}
	if r.Desired() == nil {
		if err := s.mutate(ctx, r); err != nil {
			return false, err
		}
	}
	if s.opts.maxCreations > 0 && s.creations >= s.opts.maxCreations {
		s.results.AddRequeue(resName(r), results.CreateDelayed, s.opts.creationDelay)
		return false, nil
	}
	s.creations++
	s.wrote(kindLabel(r.Key()), causeCreate)
	return true, nil
}

// finishCreate records the answer to the create of r (err from its request).
func (s *Scope[T]) finishCreate(r resources.Resource, err error) error {
	name := resName(r)
	if err != nil {
		err = fmt.Errorf("cannot create %s: %w", name, err)
		if apierrors.IsInvalid(err) {
			return s.invalid(r, err)
		}
		s.results.Add(name, results.CRUDError, err, 0)
		return err
	}
	invalids.forget(s.cr.GetUID(), r.Key())
	ownCreates.created(r.Key(), time.Now())
	s.created = append(s.created, r)
	s.results.AddSuccess(name, results.Created)
	s.log.V(1).Info("created", "resource", name)
	s.normalEvent(EventCreated, "Created %s", readinessSubject(r.Key()))
	return nil
}

// writeAll creates (and, with update, updates) the resources of list in
// their order, except that the create requests of consecutive namespaced
// resources go out at once: a reconcile that creates a Deployment, a Service
// and a ConfigMap waits for the slowest answer, not for the sum of the three
// (the API server's answer to a create takes tens of milliseconds, more
// than okt's own work). Everything else keeps the order, one at a time:
// a cluster-scoped object (a Namespace or a CustomResourceDefinition others
// may need) is created alone, after the creates before it were answered;
// an update waits for the creates before it; a resource that depends on
// others (DependsOn) is held until they are ready, as before. The answers
// are recorded in the list's order. With WithStopOnError, one at a time.
func (s *Scope[T]) writeAll(ctx context.Context, list []resources.Resource, update bool) error {
	var errs []error
	stop := false
	fail := func(err error) {
		if err != nil {
			errs = append(errs, err)
			stop = s.opts.stopOnError
		}
	}
	var batch []resources.Resource
	flush := func() {
		answers := createAtOnce(ctx, s.env(), batch)
		for i, r := range batch {
			fail(s.finishCreate(r, answers[i]))
		}
		batch = batch[:0]
	}
	for _, r := range list {
		if stop {
			break
		}
		if s.waits(r) {
			continue
		}
		if update && r.Exists() {
			flush()
			fail(s.update(ctx, r))
			continue
		}
		send, err := s.startCreate(ctx, r)
		if !send {
			fail(err)
			continue
		}
		if r.Key().Namespace == "" || s.opts.stopOnError {
			flush() // the creates before it first; then it alone
			batch = append(batch, r)
			flush()
			continue
		}
		batch = append(batch, r)
	}
	flush()
	return errors.Join(errs...)
}

// createAtOnce sends the create requests of batch at once and returns their
// answers, in batch's order. A panic (in a Resource's own Create) goes back
// to the caller's goroutine, where okt recovers it as it does any step's,
// once every request ended.
func createAtOnce(ctx context.Context, env resources.Env, batch []resources.Resource) []error {
	answers := make([]error, len(batch))
	if len(batch) == 1 {
		answers[0] = batch[0].Create(ctx, env)
		return answers
	}
	panics := make([]any, len(batch))
	var wg sync.WaitGroup
	for i, r := range batch {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			answers[i] = r.Create(ctx, env)
		})
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
	return answers
}

// CreateOrUpdateAllResources creates the registered resources that do not
// exist, and in Advanced mode updates the mutable ones whose live object
// differs from the desired one. An unchanged resource sends no request.
//
// Resources are handled in their order (see resources.DependsOn): one whose
// dependencies are not all ready is neither created nor updated in this
// reconcile, and the custom resource's Ready condition says what it waits
// for. The create requests of consecutive namespaced resources go out at
// once; a cluster-scoped one is created alone, after those before it; an
// update waits for the creates before it.
func (s *Scope[T]) CreateOrUpdateAllResources(ctx context.Context) error {
	list, err := s.prepareWrites(ctx)
	if err != nil {
		return err
	}
	return s.writeAll(ctx, list, true)
}

func (s *Scope[T]) update(ctx context.Context, r resources.Resource) error {
	name := resName(r)
	if err := s.checkOwner(r); err != nil {
		return err
	}
	m, ok := r.(resources.MutableResource)
	if !ok || s.opts.mode == Basic {
		s.results.AddSuccess(name, results.Unchanged)
		return nil
	}
	if r.Desired() == nil {
		if err := s.mutate(ctx, r); err != nil {
			return err
		}
	}
	live := liveOf(r)
	if live != nil && !live.GetDeletionTimestamp().IsZero() {
		// Being deleted (recreated, say): written again once it is gone.
		s.results.AddRequeue(name, results.AwaitingDeletion, awaitDeletion)
		return nil
	}
	uid := types.UID("")
	if live != nil {
		uid = live.GetUID()
	}
	need, why := m.NeedsUpdate()
	if !need {
		if fights.size.Load() > 0 {
			s.calm(name, r.Key(), uid, time.Now())
		}
		s.results.AddSuccess(name, results.Unchanged)
		return nil
	}
	now := time.Now()
	cause, path := resources.CauseDesired, ""
	if cr, ok := m.(resources.CauseReporter); ok {
		cause, path = cr.UpdateCause()
	}
	var drift *resources.Drift
	if dr, ok := m.(resources.DriftReporter); ok {
		drift = dr.DriftOf()
	}
	if cause == resources.CauseDrift {
		if wait := fights.wait(uid, now); wait > 0 {
			// A fight: okt keeps its value, but corrects it at a slower pace.
			s.results.AddRequeue(name, results.CorrectionDelayed, wait)
			s.log.V(1).Info("correction delayed: another writer fights over a field", "resource", name, "reason", s.redact(why), "after", wait)
			return nil
		}
	}
	if b, ok := m.(resources.Blocker); ok {
		if err := b.Blocked(); err != nil {
			return s.immutable(ctx, r, err)
		}
	}
	if err := s.takeOver(ctx, r); err != nil {
		return err
	}
	s.wrote(kindLabel(r.Key()), string(cause))
	if err := m.Update(ctx, s.env()); err != nil {
		var ie *resources.ImmutableError
		if errors.As(err, &ie) {
			return s.immutable(ctx, r, err)
		}
		if apierrors.IsConflict(err) {
			s.results.Add(name, results.CRUDError, err, 0)
			return err
		}
		err = fmt.Errorf("cannot update %s: %w", name, err)
		if apierrors.IsInvalid(err) {
			return s.invalid(r, err)
		}
		s.results.Add(name, results.CRUDError, err, 0)
		return err
	}
	invalids.forget(s.cr.GetUID(), r.Key())
	s.results.AddSuccess(name, results.Updated)
	s.log.V(1).Info("updated", "resource", name, "reason", s.redact(why))
	subject := readinessSubject(r.Key())
	switch {
	case cause == resources.CauseDesired:
		s.normalEvent(EventUpdated, "Updated %s: its desired state changed", subject)
	case cause == resources.CauseMigrate:
		s.normalEvent(EventUpdated, "Updated %s: its fields moved to field manager %s (server-side apply)", subject, s.fieldManager)
	case path != "":
		by := ""
		if drift != nil && drift.Manager != "" {
			by = " by field manager " + drift.Manager
		}
		s.normalEvent(EventDriftCorrected, "Set back %s: %s was changed on the live object%s", subject, path, by)
	default:
		s.normalEvent(EventDriftCorrected, "Set back %s: %s", subject, why)
	}
	if cause == resources.CauseDrift && path != "" {
		manager := ""
		if drift != nil {
			manager = drift.Manager
		}
		if f := fights.corrected(s.opts.fight, uid, resName(r), path, manager, now); f != nil {
			fightsTotal.WithLabelValues(s.controller, kindLabel(r.Key())).Inc()
			s.event(corev1.EventTypeWarning, EventFieldFight, "%s", fightMessage(f, f.Backoff))
			s.results.AddRequeue(name, results.CorrectionDelayed, f.Backoff)
		}
	}
	return nil
}

// awaitDeletion is the requeue delay while an owned object is being deleted.
const awaitDeletion = 2 * time.Second

// calm notes that the object is as declared: a fight over it that has been
// quiet long enough ends; one that has not gets a requeue to check again.
func (s *Scope[T]) calm(name string, key resources.Key, uid types.UID, now time.Time) {
	ended, after := fights.calm(uid, now)
	if ended != nil {
		s.normalEvent(EventFightEnded, "%s: %s is no longer changed by field manager %s; okt owns it again", readinessSubject(key), ended.Path, orUnknown(ended.Manager))
	}
	if after > 0 {
		s.results.AddRequeue(name, results.CorrectionDelayed, after)
	}
}

func orUnknown(manager string) string {
	if manager == "" {
		return "(unknown)"
	}
	return manager
}

// fightMessage describes a fight, for its Event and condition.
func fightMessage(f *fight, next time.Duration) string {
	return fmt.Sprintf("%s: field %s is set back and forth between okt and field manager %s; okt keeps its value "+
		"and now corrects it at most every %s (hand the field over with resources.LeaveToOthers(%q) if the other writer should own it)",
		f.Object, f.Path, orUnknown(f.Manager), next, f.Path)
}

// fightConditions sets the FieldConflict condition while an owned object is
// fought over, and removes it otherwise.
func (s *Scope[T]) fightConditions() {
	var msgs []string
	if fights.size.Load() == 0 {
		if meta.FindStatusCondition(s.readConditions(), ConditionFieldConflict) != nil {
			s.removeCondition(ConditionFieldConflict)
		}
		return
	}
	for _, r := range s.registry.Items() {
		live := liveOf(r)
		if live == nil {
			continue
		}
		if f := fights.active(live.GetUID()); f != nil {
			msgs = append(msgs, fightMessage(f, f.Backoff))
		}
	}
	if len(msgs) == 0 {
		if meta.FindStatusCondition(s.readConditions(), ConditionFieldConflict) != nil {
			s.removeCondition(ConditionFieldConflict)
		}
		return
	}
	s.SetCondition(metav1.Condition{Type: ConditionFieldConflict, Status: metav1.ConditionTrue,
		Reason: ReasonOtherFieldManager, Message: strings.Join(msgs, "; ")})
}

// immutable handles a desired change the API server refuses as immutable:
// the object is deleted to be created anew when built
// RecreateOnImmutableChange; otherwise the reconcile gives up (Stalled,
// naming the object and the field) until the custom resource changes.
func (s *Scope[T]) immutable(ctx context.Context, r resources.Resource, err error) error {
	name := resName(r)
	if rc, ok := r.(resources.Recreator); ok && rc.RecreatesOnImmutableChange() {
		live := liveOf(r)
		s.wrote(kindLabel(r.Key()), causeRecreate)
		obj, opts := r.Desired(), []client.DeleteOption{client.PropagationPolicy(metav1.DeletePropagationBackground)}
		if live != nil {
			obj, opts = live.DeepCopyObject().(client.Object), append(opts, client.Preconditions{UID: ptrUID(live.GetUID())})
		}
		if derr := s.client.Delete(ctx, obj, opts...); derr != nil && !apierrors.IsNotFound(derr) {
			derr = fmt.Errorf("cannot delete %s to recreate it: %w", name, derr)
			s.results.Add(name, results.CRUDError, derr, 0)
			return derr
		}
		s.results.AddRequeue(name, results.Recreating, awaitDeletion)
		s.normalEvent(EventRecreated, "Deleted %s to create it anew: %v", readinessSubject(r.Key()), err)
		return nil
	}
	s.results.AddGiveUp(name, results.CRUDError, ReasonFieldImmutable, err)
	return err
}

func ptrUID(u types.UID) *types.UID { return &u }

// invalid handles a desired object the API server refuses as invalid (a
// name longer than 63 characters derived from a long custom resource name,
// a label value it does not accept): retrying within seconds would be
// refused the same way, so the custom resource gets Stalled (reason
// Invalid) with the API server's message, and okt looks again after a delay
// that doubles at each refusal of the same object for the same generation
// (10 s, 20 s, 40 s... up to 5 minutes). A change of the custom resource
// brings a reconcile at once.
func (s *Scope[T]) invalid(r resources.Resource, err error) error {
	after := invalids.refused(s.cr.GetUID(), s.cr.GetGeneration(), r.Key())
	err = fmt.Errorf("%w (the API server refuses the object as invalid: fix what the custom resource or the operator derives it from)", err)
	s.results.AddGiveUpRetry(resName(r), results.CRUDError, ReasonInvalid, err, after)
	s.log.Info("the API server refuses an owned object as invalid", "resource", resName(r), "retry after", after)
	return err
}

// invalids counts, per custom resource, generation and owned object, the
// refusals in a row, to space the next attempts out.
var invalids = &invalidBook{}

type invalidBook struct {
	mu sync.Mutex
	m  map[invalidKey]int
}

type invalidKey struct {
	uid        types.UID
	generation int64
	key        resources.Key
}

// maxInvalids bounds the book: past it, it starts afresh.
const maxInvalids = 10000

const (
	invalidRetry    = 10 * time.Second
	invalidRetryMax = 5 * time.Minute
)

// refused counts a refusal and returns the delay before the next attempt.
func (b *invalidBook) refused(uid types.UID, generation int64, key resources.Key) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil || len(b.m) >= maxInvalids {
		b.m = map[invalidKey]int{}
	}
	k := invalidKey{uid, generation, key}
	n := b.m[k]
	b.m[k] = n + 1
	after := invalidRetry
	for range n {
		after *= 2
		if after >= invalidRetryMax {
			return invalidRetryMax
		}
	}
	return after
}

// forget drops the refusals of an object written at last.
func (b *invalidBook) forget(uid types.UID, key resources.Key) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.m) == 0 {
		return
	}
	for k := range b.m {
		if k.uid == uid && k.key == key {
			delete(b.m, k)
		}
	}
}

// OwnerConflictError reports an object that another owner controls, or
// that okt may not adopt: okt does not write to it.
type OwnerConflictError struct {
	// Resource names the object.
	Resource string
	// Owner names its owner, "Kind name"; empty when it has none (an object
	// okt may not adopt).
	Owner string
	// Policy is the resource's adoption policy.
	Policy resources.AdoptionPolicy
}

func (e *OwnerConflictError) Error() string {
	if e.Owner == "" {
		return fmt.Sprintf("%s exists, and okt did not create it for this custom resource (adoption policy %s): okt leaves it alone; "+
			"delete it, give ours another name, or build the resource with resources.WithAdoption(resources.AdoptIfUnowned)", e.Resource, e.Policy)
	}
	return fmt.Sprintf("%s is controlled by %s, not by this custom resource: okt leaves it alone; "+
		"delete it, remove its owner, give ours another name, or build the resource with resources.WithAdoption(resources.AdoptAlways)", e.Resource, e.Owner)
}

// adoption returns the adoption policy of r.
func adoption(r resources.Resource) resources.AdoptionPolicy {
	if a, ok := r.(resources.Adopter); ok {
		return a.Adoption()
	}
	return resources.AdoptIfUnowned
}

// checkOwner records an OwnerConflictError when the live object of r is not
// the custom resource's (its controller owner reference or okt's owner label
// names another owner, or none) and r's adoption policy does not let okt
// take it: an object with no owner is adopted unless AdoptNever, one with
// another owner only with AdoptAlways.
func (s *Scope[T]) checkOwner(r resources.Resource) error {
	live := liveOf(r)
	if live == nil {
		return nil
	}
	if resources.OwnerUID(live) == s.cr.GetUID() {
		return nil
	}
	uid, owner := resources.OwnerOf(live)
	policy := adoption(r)
	switch {
	case policy == resources.AdoptAlways:
		return nil
	case uid == "" && policy == resources.AdoptIfUnowned:
		return nil
	}
	err := &OwnerConflictError{Resource: resName(r), Owner: owner, Policy: policy}
	s.results.Add(err.Resource, results.OwnerConflict, err, 0)
	return err
}

// takeOver removes another owner's controller reference from the live
// object of r before okt applies its own (AdoptAlways): an object has one
// controller at most. The JSON patch is guarded by the resourceVersion.
func (s *Scope[T]) takeOver(ctx context.Context, r resources.Resource) error {
	live := liveOf(r)
	if live == nil || adoption(r) != resources.AdoptAlways {
		return nil
	}
	refs := live.GetOwnerReferences()
	for i, ref := range refs {
		if ref.Controller == nil || !*ref.Controller || ref.UID == s.cr.GetUID() {
			continue
		}
		patch, err := json.Marshal([]map[string]any{
			{"op": "test", "path": "/metadata/resourceVersion", "value": live.GetResourceVersion()},
			{"op": "remove", "path": fmt.Sprintf("/metadata/ownerReferences/%d", i)},
		})
		if err != nil {
			return err
		}
		s.wrote(kindLabel(r.Key()), causeAdopt)
		obj := live.DeepCopyObject().(client.Object)
		if err := s.client.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, patch)); err != nil {
			err = fmt.Errorf("cannot take %s over from %s %s: %w", r.Key(), ref.Kind, ref.Name, err)
			s.results.Add(resName(r), results.CRUDError, err, 0)
			return err
		}
		s.log.Info("took over", "resource", resName(r), "from", ref.Kind+" "+ref.Name)
		return nil
	}
	return nil
}

// redact masks the values of the registered Secrets in text.
func (s *Scope[T]) redact(text string) string {
	if text == "" {
		return text
	}
	var red resources.Redacter
	for _, r := range s.registry.Items() {
		if resources.IsSecret(r.Key()) {
			red.Add(r.Desired(), liveOf(r))
		}
	}
	return red.Redact(text)
}

// DeleteAllResources deletes every registered resource, in the reverse of
// their order (see resources.DependsOn). A missing one is not an error.
func (s *Scope[T]) DeleteAllResources(ctx context.Context) error {
	list, err := s.registry.Order()
	if err != nil {
		s.results.Add(CRResource, results.RegistrationError, err, 0)
		return err
	}
	list = slices.Clone(list)
	slices.Reverse(list)
	return s.eachOf(list, func(r resources.Resource) error {
		name := resName(r)
		existed := r.Exists()
		s.wrote(kindLabel(r.Key()), causeDelete)
		if err := r.Delete(ctx, s.env()); err != nil {
			err = fmt.Errorf("cannot delete %s: %w", name, err)
			s.results.Add(name, results.CRUDError, err, 0)
			return err
		}
		s.results.AddSuccess(name, results.Deleted)
		if existed {
			s.normalEvent(EventDeleted, "Deleted %s", readinessSubject(r.Key()))
		}
		return nil
	})
}

// Fail records a failure of user code: the engine moves to its error step,
// Ready becomes False with err's message, and the request is retried with
// backoff.
func (s *Scope[T]) Fail(err error) {
	if err == nil {
		return
	}
	s.results.Add(CRResource, results.Failure, err, 0)
}

// GiveUp records a terminal failure: Ready becomes False, Stalled True with
// the reason, and the request is not retried until the custom resource
// changes. reason may be empty and err nil.
func (s *Scope[T]) GiveUp(reason string, err error) {
	s.results.AddGiveUp(CRResource, results.GaveUp, reason, err)
	giveUpsTotal.WithLabelValues(s.controller).Inc()
	msg := "gave up"
	if reason != "" {
		msg += " (" + reason + ")"
	}
	if err != nil {
		msg += ": " + err.Error()
	}
	s.event(corev1.EventTypeWarning, EventGaveUp, "%s", msg)
}

// Requeue asks for another reconcile after d. The lowest delay asked wins.
func (s *Scope[T]) Requeue(after time.Duration) {
	s.results.AddRequeue(CRResource, results.Success, after)
}

// SetCondition sets a condition of the custom resource's status. Its
// ObservedGeneration is set to the resource's generation; its
// LastTransitionTime changes only when its Status does; the values of the
// registered Secrets are masked in its message.
func (s *Scope[T]) SetCondition(c metav1.Condition) {
	c.ObservedGeneration = s.cr.GetGeneration()
	c.Message = s.redact(c.Message)
	meta.SetStatusCondition(&s.conditions, c)
	if c.Type == ConditionReady {
		s.readySet = true
	}
}

// ManageSuccess sets the conditions of a reconcile where every step
// succeeded, from the readiness of the registered objects (see
// resources.ReadinessOf): Ready True when every object is ready; Ready False
// with reason Progressing and Reconciling True, naming what is awaited, while
// one is not (or while creations are held back), with a requeue after the
// readiness delay for objects no watch reports; Ready False and Stalled True
// with the object's own reason when one failed (a failed Job, a rollout past
// its progress deadline).
func (s *Scope[T]) ManageSuccess() {
	if n := s.results.Count(results.CreateDelayed); n > 0 {
		s.progressing(fmt.Sprintf("%d creation(s) held back by the creation limit", n))
		return
	}
	var awaited []string
	for _, r := range s.registry.Items() {
		if msg, held := s.held[r.Key()]; held {
			awaited = append(awaited, readinessSubject(r.Key())+": "+msg)
			continue
		}
		rr, ok := r.(resources.ReadinessReporter)
		if !ok {
			continue
		}
		rd := rr.Readiness()
		if rd.Ready() {
			continue
		}
		msg := readinessSubject(r.Key()) + ": " + rd.Message
		if rd.State == resources.Failed {
			reason := rd.Reason
			if !isReason(reason) {
				reason = ReasonFailed
			}
			s.SetCondition(metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: reason, Message: msg})
			s.SetCondition(metav1.Condition{Type: ConditionStalled, Status: metav1.ConditionTrue, Reason: reason, Message: msg})
			s.removeCondition(ConditionReconciling)
			return
		}
		awaited = append(awaited, msg)
	}
	if len(awaited) > 0 {
		s.progressing(strings.Join(awaited, "; "))
		if s.opts.readinessRequeue > 0 {
			s.results.AddRequeue(CRResource, results.AwaitingReadiness, s.opts.readinessRequeue)
		}
		return
	}
	s.SetCondition(metav1.Condition{Type: ConditionReady, Status: metav1.ConditionTrue,
		Reason: ReasonSucceeded, Message: "Reconciled"})
	s.removeCondition(ConditionReconciling)
	s.removeCondition(ConditionStalled)
}

// ObjectsReady reports whether every registered object is ready (see
// resources.ReadinessOf), after the writes; kinds without readiness count as
// ready once they exist. Lifecycle guards use it.
func (s *Scope[T]) ObjectsReady() bool {
	if len(s.held) > 0 {
		return false
	}
	for _, r := range s.registry.Items() {
		if rr, ok := r.(resources.ReadinessReporter); ok && !rr.Readiness().Ready() {
			return false
		}
	}
	return true
}

// readyNow reports whether the custom resource is Ready for its current
// generation: as decided in this reconcile, else as read.
func (s *Scope[T]) readyNow() bool {
	c := meta.FindStatusCondition(s.conditions, ConditionReady)
	if c == nil {
		c = meta.FindStatusCondition(s.readConditions(), ConditionReady)
	}
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == s.cr.GetGeneration()
}

// readConditions returns the conditions of the custom resource as read at
// the start of the reconcile (nil when it has none).
func (s *Scope[T]) readConditions() []metav1.Condition {
	if !s.readConds {
		if c, ok := conditionsOf(s.cr); ok {
			s.read = c.get()
		}
		s.readConds = true
	}
	return s.read
}

// progressing sets Ready False and Reconciling True with reason Progressing.
//
// A message whose details change while it names the same objects (a
// rollout's progress, "0/3 replicas created" then "0/3 replicas
// available") is written at most every progressRefresh: with several
// reconciles at once, each step of a rollout would otherwise cost a status
// write. A change of what is awaited is written at once.
func (s *Scope[T]) progressing(msg string) {
	if prev := meta.FindStatusCondition(s.readConditions(), ConditionReady); prev != nil &&
		prev.Status == metav1.ConditionFalse && prev.Reason == ReasonProgressing &&
		prev.ObservedGeneration == s.cr.GetGeneration() && prev.Message != msg && sameSubjects(prev.Message, msg) {
		if age, ok := lastStatus.age(s.cr.GetUID(), time.Now()); ok && age < progressRefresh {
			msg = prev.Message
			s.results.AddRequeue(CRResource, results.AwaitingReadiness, progressRefresh-age)
		}
	}
	s.SetCondition(metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: ReasonProgressing, Message: msg})
	s.SetCondition(metav1.Condition{Type: ConditionReconciling, Status: metav1.ConditionTrue, Reason: ReasonProgressing, Message: msg})
	s.removeCondition(ConditionStalled)
}

// progressRefresh is the shortest time between two writes of a Progressing
// message that changed alone.
const progressRefresh = 15 * time.Second

// sameSubjects reports whether two Progressing messages ("Deployment web:
// 1/3 replicas available; Job migrate: waiting for StatefulSet db") name the
// same objects, in the same order, whatever their details.
func sameSubjects(a, b string) bool {
	for {
		pa, ra, moreA := strings.Cut(a, "; ")
		pb, rb, moreB := strings.Cut(b, "; ")
		sa, _, okA := strings.Cut(pa, ": ")
		sb, _, okB := strings.Cut(pb, ": ")
		if okA != okB || sa != sb || (!okA && pa != pb) || moreA != moreB {
			return false
		}
		if !moreA {
			return true
		}
		a, b = ra, rb
	}
}

// readinessSubject names an object in a readiness message: "Deployment
// memcached" (its namespace is the custom resource's, most of the time).
func readinessSubject(k resources.Key) string { return k.Kind + " " + k.Name }

// ManageError sets Ready to False with the consolidated error's message and,
// for a give-up, Stalled to True. Conflicts are not reported: they are
// retried silently.
func (s *Scope[T]) ManageError() {
	if s.results.OnlyConflicts() {
		return
	}
	err := s.results.Err()
	if err == nil {
		return
	}
	if s.results.GivenUp() {
		var g *results.GiveUpError
		reason := ReasonGaveUp
		msg := err.Error()
		if errors.As(err, &g) && g.Reason != "" && isReason(g.Reason) {
			reason = g.Reason
		}
		s.SetCondition(metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: reason, Message: msg})
		s.SetCondition(metav1.Condition{Type: ConditionStalled, Status: metav1.ConditionTrue, Reason: reason, Message: msg})
		s.removeCondition(ConditionReconciling)
		return
	}
	reason := ReasonError
	var oc *OwnerConflictError
	if errors.As(err, &oc) {
		reason = ReasonOwnerConflict
	}
	s.SetCondition(metav1.Condition{Type: ConditionReady, Status: metav1.ConditionFalse, Reason: reason, Message: err.Error()})
	s.removeCondition(ConditionStalled)
	s.removeCondition(ConditionReconciling)
}

// Conditions returns the conditions this reconcile decided so far (set by
// SetCondition, ManageSuccess, ManageError), to be written at its end.
func (s *Scope[T]) Conditions() []metav1.Condition {
	return append([]metav1.Condition(nil), s.conditions...)
}

// Builder builds a resource from the custom resource. Scaffolded resource
// files (okt create resource) declare one per resource. A builder returns a
// nil Resource when the object is not wanted for this custom resource (a
// feature its spec turns off, say): nothing is registered, and an object okt
// created for it before is pruned.
type Builder[T client.Object] func(cr T) (resources.Resource, error)

// RegisterBuilders builds a resource with each builder and registers it. A
// failing builder (a template with a missing key, say) is recorded as a
// registration error and returned; the others are still registered.
func (s *Scope[T]) RegisterBuilders(ctx context.Context, builders ...Builder[T]) error {
	var errs []error
	for _, b := range builders {
		res, err := b(s.cr)
		if err != nil {
			s.results.Add(CRResource, results.RegistrationError, err, 0)
			errs = append(errs, err)
			continue
		}
		if res == nil {
			continue
		}
		if err := s.Register(ctx, res); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
