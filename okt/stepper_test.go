package okt_test

import (
	"context"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/internal/testapi"
)

// widgetStepperSteps is what a scaffolded controller looks like: the default
// steps, objects from builders, and a cleanup.
type widgetStepperSteps struct {
	engines.DefaultSteps[*testapi.Widget]
	finalized int
}

func (w *widgetStepperSteps) GetObjects(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
	return s.Register(ctx, allKinds(s.CR())[:5]...)
}

func (w *widgetStepperSteps) Finalize(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
	w.finalized++
	return nil
}

// pathRecorder runs an engine and keeps the path of each run.
type pathRecorder struct {
	*engines.Stepper[*testapi.Widget]
	mu    sync.Mutex
	paths []string
}

func (p *pathRecorder) Run(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
	p.Stepper.Run(ctx, s)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paths = append(p.paths, s.Path())
}

// TestStepperOnTheAPIServer: the Stepper drives a Widget from creation to
// deletion on the real API server, with the finalizer it declares.
func TestStepperOnTheAPIServer(t *testing.T) {
	needCluster(t)
	ctx := t.Context()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "stepper")
	steps := &widgetStepperSteps{}
	rec := &pathRecorder{Stepper: engines.NewStepper[*testapi.Widget](steps)}
	r := okt.New[*testapi.Widget](counted, rec)

	cur := reconcileUntilReady(t, r, plain, w)
	if !controllerutil.ContainsFinalizer(cur, "test.okt.orange.com/finalizer") {
		t.Fatalf("no finalizer: %v", cur.Finalizers)
	}
	counter.Reset()
	mustReconcile(t, r, request(w))
	if got := counter.Writes(); len(got) != 0 {
		t.Errorf("steady Stepper reconcile sent %v", got)
	}
	if err := plain.Delete(ctx, w); err != nil {
		t.Fatal(err)
	}
	mustReconcile(t, r, request(w))
	if steps.finalized != 1 {
		t.Errorf("Finalize ran %d times, want 1", steps.finalized)
	}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Widget survived its finalization: %v", err)
	}
	// Every reconcile until the deletion (one or more while the Deployment
	// rolls out, then a steady one) takes the success path; the last one
	// finalizes.
	if len(rec.paths) < 3 {
		t.Fatalf("paths %v, want at least two reconciles and the finalization", rec.paths)
	}
	for i, p := range rec.paths {
		want := ">CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>End"
		if i == len(rec.paths)-1 {
			want = ">CRChecker>CRFinalizer>End"
		}
		if p != want {
			t.Errorf("path %d: %s, want %s", i, p, want)
		}
	}
}
