package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	webv1 "example.com/bench/api/v1"
)

// Floor is no controller: what the cluster itself costs. It lists the Webs
// once, and Workers (8) goroutines make for each the writes a controller
// cannot do without: create its Deployment, Service and ConfigMap (the same
// objects as the others, common.go), write its status Ready=False
// (Progressing), and, once a watch of the Deployments shows its Deployment
// rolled out, Ready=True. No manager, no cache of the Webs, no reconcile,
// no Event: one request per write, and the time kube-controller-manager and
// kwok take to bring the Deployments to Available.
//
// With Apply (floor-apply), it makes the requests okt makes instead: each
// object created by a server-side apply (forced, under field manager
// "floor"), and one Event per Web once its three objects exist, recorded
// with Events (client-go's recorder, as a manager's). The difference
// between the two floors is what the cluster spends on okt's choice of
// requests; the rest of okt's time over floor-apply is its own.
type Floor struct {
	Client    client.Client // direct to the API server, no cache
	Clientset kubernetes.Interface
	Scheme    *runtime.Scheme
	Namespace string
	Apply     bool
	Events    record.EventRecorder // with Apply
}

// floorWeb is where one Web is.
type floorWeb struct {
	web        *webv1.Web         // as last read or written: its resourceVersion is current
	dep        *appsv1.Deployment // set once seen rolled out
	progressed bool               // Ready=False written
	queued     bool               // Ready=True queued (or written)
}

// Run makes the writes, then waits for ctx to end (SIGTERM), as an idle
// controller would.
func (f *Floor) Run(ctx context.Context) error {
	log := logf.FromContext(ctx).WithName("floor")
	var list webv1.WebList
	if err := f.Client.List(ctx, &list, client.InNamespace(f.Namespace)); err != nil {
		return fmt.Errorf("cannot list the Webs: %w", err)
	}
	var mu sync.Mutex
	webs := make(map[string]*floorWeb, len(list.Items))
	for i := range list.Items {
		webs[list.Items[i].Name] = &floorWeb{web: &list.Items[i]}
	}
	creates := make(chan string, len(list.Items))
	readies := make(chan string, len(list.Items))
	ready := 0
	// queueReady queues w's Ready=True once both its Ready=False is written
	// and its Deployment is rolled out. With mu held.
	queueReady := func(w *floorWeb) {
		if w.progressed && w.dep != nil && !w.queued {
			w.queued = true
			readies <- w.web.Name
		}
	}

	factory := informers.NewSharedInformerFactoryWithOptions(f.Clientset, 0, informers.WithNamespace(f.Namespace))
	deployments := factory.Apps().V1().Deployments().Informer()
	seen := func(obj any) {
		d, ok := obj.(*appsv1.Deployment)
		if !ok || !rolledOut(d) {
			return
		}
		owner := metav1.GetControllerOf(d)
		if owner == nil || owner.Kind != "Web" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if w := webs[owner.Name]; w != nil && w.dep == nil {
			w.dep = d
			queueReady(w)
		}
	}
	if _, err := deployments.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    seen,
		UpdateFunc: func(_, obj any) { seen(obj) },
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), deployments.HasSynced) {
		return fmt.Errorf("the watch of the Deployments did not sync: %w", ctx.Err())
	}
	log.Info("writing", "webs", len(list.Items), "workers", Workers)
	for _, web := range list.Items {
		creates <- web.Name
	}

	var wg sync.WaitGroup
	for range Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// Ready writes first: they end a Web's work.
				var name string
				var isReady bool
				select {
				case name = <-readies:
					isReady = true
				default:
					select {
					case name = <-readies:
						isReady = true
					case name = <-creates:
					case <-ctx.Done():
						return
					}
				}
				mu.Lock()
				w := webs[name]
				web, dep := w.web.DeepCopy(), w.dep
				mu.Unlock()
				if !isReady {
					retry(ctx, log, "create the objects of "+name, func() error { return f.createObjects(ctx, web) })
					dep = &appsv1.Deployment{} // not rolled out yet: Ready=False
				}
				retry(ctx, log, "write the status of "+name, func() error { return f.writeStatus(ctx, web, dep) })
				mu.Lock()
				w.web = web
				if isReady {
					ready++
					if ready == len(webs) {
						log.Info("all Ready", "webs", ready)
					}
				} else {
					w.progressed = true
					queueReady(w)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return nil
}

// createObjects creates the Deployment, the Service and the ConfigMap of
// web, controlled by it; one that exists already (a retry) is fine.
func (f *Floor) createObjects(ctx context.Context, web *webv1.Web) error {
	if f.Apply {
		if _, err := applyObjects(ctx, f.Clientset, web, "floor"); err != nil {
			return err
		}
		name := web.Namespace + "/" + objectName(web)
		f.Events.Eventf(web, corev1.EventTypeNormal, "Created", "Created Deployment %s; Created Service %s; Created ConfigMap %s", name, name, name)
		return nil
	}
	labels := labelsOf(web)
	meta := metav1.ObjectMeta{Name: objectName(web), Namespace: web.Namespace}
	dep := &appsv1.Deployment{ObjectMeta: meta}
	setDeployment(dep, labels)
	svc := &corev1.Service{ObjectMeta: *meta.DeepCopy()}
	setService(svc, labels)
	cm := &corev1.ConfigMap{ObjectMeta: *meta.DeepCopy()}
	setConfigMap(cm, labels)
	for _, obj := range []client.Object{dep, svc, cm} {
		if err := controllerutil.SetControllerReference(web, obj, f.Scheme); err != nil {
			return err
		}
		if err := f.Client.Create(ctx, obj); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// writeStatus sets web's Ready condition from dep, as the others do, with
// one update of the status; on a conflict (none is expected: nothing else
// writes the Webs) it reads web again first.
func (f *Floor) writeStatus(ctx context.Context, web *webv1.Web, dep *appsv1.Deployment) error {
	web.Status.Conditions = readyCondition(web, dep)
	err := f.Client.Status().Update(ctx, web)
	if apierrors.IsConflict(err) {
		if getErr := f.Client.Get(ctx, client.ObjectKeyFromObject(web), web); getErr != nil {
			return getErr
		}
	}
	return err
}

// retry calls do until it succeeds or ctx ends, waiting longer after each
// failure (100 ms, doubled, at most 2 s).
func retry(ctx context.Context, log interface{ Error(error, string, ...any) }, what string, do func() error) {
	wait := 100 * time.Millisecond
	for {
		err := do()
		if err == nil || ctx.Err() != nil {
			return
		}
		log.Error(err, "cannot "+what+": retrying", "after", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}
