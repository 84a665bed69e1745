package engines_test

import (
	"context"
	"errors"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/results"
)

// pathSpy runs a Stepper and keeps the path of its last run.
type pathSpy struct {
	*engines.Stepper[widget]
	path string
}

func (p *pathSpy) Run(ctx context.Context, s *scope) {
	p.Stepper.Run(ctx, s)
	p.path = s.Path()
}

type reconcileCase struct {
	name     string
	hooks    map[string]hook
	deleted  bool
	finalize bool

	wantPath    string
	wantErr     bool
	wantReady   metav1.ConditionStatus // "" when no status is written
	wantReason  string
	wantStalled bool
	wantGone    bool // the finalizer was removed and the Widget deleted
}

// TestStepperWithReconciler checks, through a Reconciler on a fake client,
// the conditions each path leaves on the Widget.
func TestStepperWithReconciler(t *testing.T) {
	for _, tc := range []reconcileCase{
		{name: "normal", wantPath: pathNormal, wantReady: metav1.ConditionTrue, wantReason: okt.ReasonSucceeded},
		{
			name: "error in Update", hooks: map[string]hook{"Update": fail(errBoom)},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>ErrorManager>End", wantErr: true,
			wantReady: metav1.ConditionFalse, wantReason: okt.ReasonError,
		},
		{
			name: "give-up with a reason", hooks: map[string]hook{"CheckCR": fail(results.NewGiveUpError("InvalidSpec", errBoom))},
			wantPath: ">CRChecker>GiveUp>End", wantErr: true, // a terminal error
			wantReady: metav1.ConditionFalse, wantReason: "InvalidSpec", wantStalled: true,
		},
		{
			name: "give-up without a reason nor an error", hooks: map[string]hook{"CheckCR": fail(results.NewGiveUpError("", nil))},
			wantPath:  ">CRChecker>GiveUp>End",
			wantReady: metav1.ConditionFalse, wantReason: okt.ReasonGaveUp, wantStalled: true,
		},
		{
			name: "panic in Mutate", hooks: map[string]hook{"Mutate": panics("bad")},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>ErrorManager>End", wantErr: true,
			wantReady: metav1.ConditionFalse, wantReason: okt.ReasonError,
		},
		{name: "finalizing", deleted: true, finalize: true, wantPath: pathFinalizing, wantGone: true},
		{
			name: "finalizing error", deleted: true, finalize: true, hooks: map[string]hook{"Finalize": fail(errBoom)},
			wantPath: ">CRChecker>CRFinalizer>ErrorManager>End", wantErr: true,
			wantReady: metav1.ConditionFalse, wantReason: okt.ReasonError,
		},
		// Without a Finalizer the Reconciler does not run the engine at all;
		// okt's finalizer goes once okt deleted what it deletes itself
		// (nothing here): a Finalize step removed from an operator does not
		// leave its custom resources stuck.
		{name: "deleted without a Finalizer", deleted: true, wantGone: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWidget(tc.deleted)
			c := newClient(t, w)
			st, _ := steps(tc.hooks, tc.finalize)
			spy := &pathSpy{Stepper: engines.NewStepper(st)}
			r := okt.New[widget](c, spy, okt.WithFinalizerName(finalizerName))

			res, err := r.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(w)})
			if (err != nil) != tc.wantErr {
				t.Errorf("Reconcile() error = %v, want an error: %v", err, tc.wantErr)
			}
			if tc.wantStalled && (res.RequeueAfter != 0 || (err != nil && !errors.Is(err, reconcile.TerminalError(nil)))) {
				t.Errorf("a give-up returned %+v, %v; want no requeue and at most a terminal error", res, err)
			}
			if spy.path != tc.wantPath {
				t.Errorf("path = %q, want %q", spy.path, tc.wantPath)
			}

			got := newWidget(false)
			err = c.Get(ctx, client.ObjectKeyFromObject(w), got)
			if tc.wantGone {
				if !apierrors.IsNotFound(err) {
					t.Errorf("the finalized Widget is still there (%v), finalizers %v", err, got.Finalizers)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.deleted && len(got.Finalizers) == 0 {
				t.Error("the finalizer was removed although finalization failed")
			}
			ready := meta.FindStatusCondition(got.Status.Conditions, okt.ConditionReady)
			switch {
			case tc.wantReady == "" && ready != nil:
				t.Errorf("Ready = %+v, want none", ready)
			case tc.wantReady != "" && ready == nil:
				t.Errorf("no Ready condition, want %s", tc.wantReady)
			case ready != nil && (ready.Status != tc.wantReady || ready.Reason != tc.wantReason):
				t.Errorf("Ready = %s/%s (%s), want %s/%s", ready.Status, ready.Reason, ready.Message, tc.wantReady, tc.wantReason)
			}
			stalled := meta.IsStatusConditionTrue(got.Status.Conditions, okt.ConditionStalled)
			if stalled != tc.wantStalled {
				t.Errorf("Stalled = %v, want %v", stalled, tc.wantStalled)
			}
		})
	}
}
