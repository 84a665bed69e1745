package engines_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
	"github.com/okt-dev/okt/okt/results"
)

type (
	widget = *testapi.Widget
	scope  = okt.Scope[widget]
	hook   = func(ctx context.Context, s *scope) error
)

const finalizerName = "test.okt.orange.com/finalizer"

func newScheme(t testing.TB) *runtime.Scheme {
	t.Helper()
	sch := runtime.NewScheme()
	if err := corev1.AddToScheme(sch); err != nil {
		t.Fatal(err)
	}
	if err := testapi.AddToScheme(sch); err != nil {
		t.Fatal(err)
	}
	return sch
}

// newWidget returns a Widget, being deleted if deleted is true.
func newWidget(deleted bool) *testapi.Widget {
	w := &testapi.Widget{
		TypeMeta: metav1.TypeMeta{APIVersion: testapi.GroupVersion.String(), Kind: "Widget"},
		// A UID of its own, as an API server gives: okt remembers what it
		// wrote per UID for the whole process, and each test is another
		// fake cluster.
		ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "default", UID: types.UID(fmt.Sprintf("uid-w-%d", widgetUIDs.Add(1))), Generation: 1},
		Spec:       testapi.WidgetSpec{Message: "hello"},
	}
	if deleted {
		now := metav1.Now()
		w.DeletionTimestamp = &now
		w.Finalizers = []string{finalizerName}
	}
	return w
}

var widgetUIDs atomic.Int64

// newClient returns a fake client holding objs.
func newClient(t testing.TB, objs ...client.Object) client.WithWatch {
	t.Helper()
	return withApply(fake.NewClientBuilder().WithScheme(newScheme(t)).
		WithObjects(objs...).WithStatusSubresource(&testapi.Widget{}))
}

// withApply builds the fake client with server-side apply stood in for: the
// fake client of controller-runtime v0.21 refuses apply patches. These tests
// are about the engines' paths; okt's applies and their field ownership are
// tested on a real API server (package okt, okt/resources).
func withApply(b *fake.ClientBuilder) client.WithWatch {
	return b.WithInterceptorFuncs(interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
			if p.Type() != types.ApplyPatchType {
				return c.Patch(ctx, obj, p, opts...)
			}
			data, err := p.Data(obj)
			if err != nil {
				return err
			}
			cur := obj.DeepCopyObject().(client.Object)
			err = c.Get(ctx, client.ObjectKeyFromObject(obj), cur)
			switch {
			case apierrors.IsNotFound(err):
				if err := json.Unmarshal(data, obj); err != nil {
					return err
				}
				return c.Create(ctx, obj)
			case err != nil:
				return err
			}
			return c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data))
		},
	}).Build()
}

// newScope returns a Scope of a Widget read through a fake client.
func newScope(t testing.TB, deleted bool, opts ...okt.Option) (*scope, client.Client) {
	t.Helper()
	w := newWidget(deleted)
	c := newClient(t, w)
	return okt.NewScope(context.Background(), c, w, opts...), c
}

// configMap is the resource the test steps register.
func configMap(w widget) resources.Resource {
	return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "w-cm", Namespace: w.Namespace}},
		func(cm *corev1.ConfigMap) error {
			cm.Data = map[string]string{"message": w.Spec.Message}
			return nil
		})
}

// scripted are Steps whose methods run the hook of their name when there is
// one, and the default otherwise. GetObjects registers configMap by default.
type scripted struct {
	engines.DefaultSteps[widget]
	hooks map[string]hook
	calls *calls
}

// calls records the steps called, safely for concurrent runs.
type calls struct {
	mu    sync.Mutex
	names []string
}

func (c *calls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names = append(c.names, name)
}

func (c *calls) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.names, " ")
}

func newScripted(hooks map[string]hook) scripted {
	return scripted{hooks: hooks, calls: &calls{}}
}

func (sc scripted) run(ctx context.Context, s *scope, name string, def hook) error {
	sc.calls.add(name)
	if h, ok := sc.hooks[name]; ok {
		return h(ctx, s)
	}
	return def(ctx, s)
}

func (sc scripted) CheckCR(ctx context.Context, s *scope) error {
	return sc.run(ctx, s, "CheckCR", sc.DefaultSteps.CheckCR)
}

func (sc scripted) GetObjects(ctx context.Context, s *scope) error {
	return sc.run(ctx, s, "GetObjects", func(ctx context.Context, s *scope) error {
		return s.Register(ctx, configMap(s.CR()))
	})
}

func (sc scripted) Mutate(ctx context.Context, s *scope) error {
	return sc.run(ctx, s, "Mutate", sc.DefaultSteps.Mutate)
}

func (sc scripted) Update(ctx context.Context, s *scope) error {
	return sc.run(ctx, s, "Update", sc.DefaultSteps.Update)
}

func (sc scripted) OnSuccess(ctx context.Context, s *scope) error {
	return sc.run(ctx, s, "OnSuccess", sc.DefaultSteps.OnSuccess)
}

func (sc scripted) OnError(ctx context.Context, s *scope) error {
	return sc.run(ctx, s, "OnError", sc.DefaultSteps.OnError)
}

// finalizing are scripted steps with a Finalize step.
type finalizing struct{ scripted }

func (f finalizing) Finalize(ctx context.Context, s *scope) error {
	return f.run(ctx, s, "Finalize", func(context.Context, *scope) error { return nil })
}

// steps returns scripted steps, with a Finalize step if finalize is true.
func steps(hooks map[string]hook, finalize bool) (engines.Steps[widget], *calls) {
	sc := newScripted(hooks)
	if finalize {
		return finalizing{sc}, sc.calls
	}
	return sc, sc.calls
}

// checkResults compares what a run recorded with what a test case wants: the
// consolidated error ("" for none, else a substring), the give-up, and the
// count of each listed operation.
func checkResults(t *testing.T, rs *results.Results, wantErr string, wantGiveUp bool, wantCounts map[results.Op]int) {
	t.Helper()
	switch err := rs.Err(); {
	case wantErr == "" && err != nil:
		t.Errorf("error = %v, want none", err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Errorf("error = %v, want %q", err, wantErr)
	}
	if got := rs.GivenUp(); got != wantGiveUp {
		t.Errorf("given up = %v, want %v", got, wantGiveUp)
	}
	for op, n := range wantCounts {
		if got := rs.Count(op); got != n {
			t.Errorf("count of %s = %d, want %d\n%s", op, got, n, rs)
		}
	}
}
