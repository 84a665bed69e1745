package engines_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/internal/golden"
	"github.com/okt-dev/okt/okt/results"
)

const (
	pathNormal     = ">CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>End"
	pathFinalizing = ">CRChecker>CRFinalizer>End"
)

var errBoom = errors.New("boom")

func fail(err error) hook {
	return func(context.Context, *scope) error { return err }
}

func panics(v any) hook {
	return func(context.Context, *scope) error { panic(v) }
}

// selfWrapped is a give-up that wraps itself: the original OKT's crash.
func selfWrapped() error {
	g := &results.GiveUpError{Reason: "Loop"}
	g.Err = g
	return g
}

// cyclic is an error whose chain of wrapped errors never ends.
type cyclic struct{ next error }

func (c *cyclic) Error() string { return "cyclic" }
func (c *cyclic) Unwrap() error { return c.next }

// panicky is an error whose Error method panics.
type panicky struct{}

func (panicky) Error() string { panic("no message") }

type stepperCase struct {
	name     string
	hooks    map[string]hook
	deleted  bool
	finalize bool

	wantPath   string
	wantErr    string // the consolidated error; "" for none
	wantGiveUp bool
	wantCounts map[results.Op]int
	wantCalls  string // steps called, space-separated; "" to skip the check
}

func stepperCases() []stepperCase {
	cause := errors.New("size must be positive")
	return []stepperCase{
		{
			name: "normal", wantPath: pathNormal,
			wantCounts: map[results.Op]int{results.Registered: 1, results.Mutated: 1, results.Created: 1, results.Failure: 0},
			wantCalls:  "CheckCR GetObjects Mutate Update OnSuccess",
		},
		// An error returned by each step.
		{
			name: "error in CheckCR", hooks: map[string]hook{"CheckCR": fail(errBoom)},
			wantPath: ">CRChecker>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1, results.Registered: 0},
			wantCalls:  "CheckCR OnError",
		},
		{
			name: "error in GetObjects", hooks: map[string]hook{"GetObjects": fail(errBoom)},
			wantPath: ">CRChecker>ObjectsGetter>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1},
			wantCalls:  "CheckCR GetObjects OnError",
		},
		{
			name: "error in Mutate", hooks: map[string]hook{"Mutate": fail(errBoom)},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1, results.Created: 0},
			wantCalls:  "CheckCR GetObjects Mutate OnError",
		},
		{
			name: "error in Update", hooks: map[string]hook{"Update": fail(errBoom)},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1},
			wantCalls:  "CheckCR GetObjects Mutate Update OnError",
		},
		{
			name: "error in OnSuccess", hooks: map[string]hook{"OnSuccess": fail(errBoom)},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1, results.Created: 1},
			wantCalls:  "CheckCR GetObjects Mutate Update OnSuccess OnError",
		},
		{
			name:     "error in OnError",
			hooks:    map[string]hook{"Mutate": fail(errBoom), "OnError": fail(errors.New("second"))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 2},
		},
		// Errors recorded by the Scope are not counted twice.
		{
			name: "error recorded by Register and returned",
			hooks: map[string]hook{"GetObjects": func(ctx context.Context, s *scope) error {
				return fmt.Errorf("registering: %w", s.Register(ctx, configMap(s.CR()), configMap(s.CR())))
			}},
			wantPath: ">CRChecker>ObjectsGetter>ErrorManager>End", wantErr: "already registered",
			wantCounts: map[results.Op]int{results.Registered: 1, results.RegistrationError: 1, results.Failure: 0},
		},
		{
			name: "error recorded with Fail and returned",
			hooks: map[string]hook{"CheckCR": func(_ context.Context, s *scope) error {
				s.Fail(errBoom)
				return errBoom
			}},
			wantPath: ">CRChecker>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		{
			name: "error recorded with Fail, nil returned",
			hooks: map[string]hook{"Update": func(_ context.Context, s *scope) error {
				s.Fail(errBoom)
				return nil
			}},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		// Give-ups.
		{
			name: "give-up with a reason", hooks: map[string]hook{"CheckCR": fail(results.NewGiveUpError("InvalidSpec", cause))},
			wantPath: ">CRChecker>GiveUp>End", wantErr: "gave up: InvalidSpec: size must be positive", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1, results.Failure: 0},
			wantCalls:  "CheckCR",
		},
		{
			name: "give-up without a reason", hooks: map[string]hook{"CheckCR": fail(results.NewGiveUpError("", cause))},
			wantPath: ">CRChecker>GiveUp>End", wantErr: "gave up: size must be positive", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "give-up with a nil error", hooks: map[string]hook{"Mutate": fail(results.NewGiveUpError("", nil))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>GiveUp>End", wantErr: "gave up", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "give-up as a nil pointer", hooks: map[string]hook{"Mutate": fail((*results.GiveUpError)(nil))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>GiveUp>End", wantErr: "gave up", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name:     "wrapped give-up",
			hooks:    map[string]hook{"GetObjects": fail(fmt.Errorf("getting objects: %w", results.NewGiveUpError("NoSuchClass", cause)))},
			wantPath: ">CRChecker>ObjectsGetter>GiveUp>End", wantErr: "gave up: NoSuchClass: size must be positive", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1, results.Failure: 0},
		},
		{
			name: "nested give-ups",
			hooks: map[string]hook{"Update": fail(&results.GiveUpError{Err: fmt.Errorf("ctx: %w",
				&results.GiveUpError{Reason: "Inner", Err: &results.GiveUpError{Reason: "Innermost", Err: cause}})})},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>GiveUp>End", wantErr: "gave up: Inner: size must be positive", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "give-up wrapping itself", hooks: map[string]hook{"CheckCR": fail(selfWrapped())},
			wantPath: ">CRChecker>GiveUp>End", wantErr: "gave up: Loop: give-ups nested more than 16 deep", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "give-up recorded with GiveUp, nil returned",
			hooks: map[string]hook{"CheckCR": func(_ context.Context, s *scope) error {
				s.GiveUp("InvalidSpec", nil)
				return nil
			}},
			wantPath: ">CRChecker>GiveUp>End", wantErr: "gave up: InvalidSpec", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "give-up recorded with GiveUp and returned",
			hooks: map[string]hook{"CheckCR": func(_ context.Context, s *scope) error {
				s.GiveUp("InvalidSpec", cause)
				return results.NewGiveUpError("InvalidSpec", cause)
			}},
			wantPath: ">CRChecker>GiveUp>End", wantErr: "gave up: InvalidSpec: size must be positive", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "give-up recorded with GiveUp, cause returned",
			hooks: map[string]hook{"CheckCR": func(_ context.Context, s *scope) error {
				s.GiveUp("InvalidSpec", cause)
				return cause
			}},
			wantPath: ">CRChecker>GiveUp>End", wantErr: "gave up: InvalidSpec: size must be positive", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1, results.Failure: 0},
		},
		{
			name:     "give-up after an error",
			hooks:    map[string]hook{"Mutate": fail(errors.Join(errBoom, results.NewGiveUpError("Hopeless", nil)))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>GiveUp>End", wantErr: "gave up: Hopeless", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name:     "give-up in OnError",
			hooks:    map[string]hook{"Update": fail(errBoom), "OnError": fail(results.NewGiveUpError("TooManyErrors", nil))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>ErrorManager>GiveUp>End", wantErr: "gave up: TooManyErrors", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1, results.Failure: 1},
		},
		{
			name: "give-up in OnSuccess", hooks: map[string]hook{"OnSuccess": fail(results.NewGiveUpError("Unhealthy", nil))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>GiveUp>End", wantErr: "gave up: Unhealthy", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		// Panics.
		{
			name: "panic in CheckCR", hooks: map[string]hook{"CheckCR": panics("bad")},
			wantPath: ">CRChecker>ErrorManager>End", wantErr: "panic in step CheckCR: bad",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		{
			name: "panic in Mutate", hooks: map[string]hook{"Mutate": panics(errBoom)},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>ErrorManager>End", wantErr: "panic in step Mutate: boom",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		{
			name: "panic with a give-up is a failure", hooks: map[string]hook{"Mutate": panics(results.NewGiveUpError("X", nil))},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>ErrorManager>End", wantErr: "panic in step Mutate: gave up: X",
			wantCounts: map[results.Op]int{results.Failure: 1, results.GaveUp: 0},
		},
		{
			name: "panic with nil", hooks: map[string]hook{"Update": panics(nil)},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>ErrorManager>End", wantErr: "panic in step Update: panic called with nil argument",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		{
			name:     "panic in OnError",
			hooks:    map[string]hook{"GetObjects": fail(errBoom), "OnError": panics("again")},
			wantPath: ">CRChecker>ObjectsGetter>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 2},
		},
		{
			name: "panic in OnSuccess", hooks: map[string]hook{"OnSuccess": panics("bad")},
			wantPath: ">CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>ErrorManager>End", wantErr: "panic in step OnSuccess: bad",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		// Errors that cannot be inspected naively.
		{
			name: "cyclic error", hooks: map[string]hook{"CheckCR": func(context.Context, *scope) error {
				c := &cyclic{}
				c.next = c
				return c
			}},
			wantPath: ">CRChecker>ErrorManager>End", wantErr: "wrapped errors are cyclic",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		{
			name: "error whose Error method panics", hooks: map[string]hook{"CheckCR": fail(panicky{})},
			wantPath: ">CRChecker>ErrorManager>End", wantErr: "Error method panics",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		// Deletion.
		{
			name: "finalizing", deleted: true, finalize: true,
			wantPath: pathFinalizing, wantCounts: map[results.Op]int{results.Registered: 0, results.Created: 0},
			wantCalls: "CheckCR Finalize",
		},
		{
			name: "finalizing error", deleted: true, finalize: true, hooks: map[string]hook{"Finalize": fail(errBoom)},
			wantPath: ">CRChecker>CRFinalizer>ErrorManager>End", wantErr: "boom",
			wantCounts: map[results.Op]int{results.Failure: 1},
			wantCalls:  "CheckCR Finalize OnError",
		},
		{
			name: "finalizing give-up", deleted: true, finalize: true, hooks: map[string]hook{"Finalize": fail(results.NewGiveUpError("Orphaned", nil))},
			wantPath: ">CRChecker>CRFinalizer>GiveUp>End", wantErr: "gave up: Orphaned", wantGiveUp: true,
			wantCounts: map[results.Op]int{results.GaveUp: 1},
		},
		{
			name: "finalizing panic", deleted: true, finalize: true, hooks: map[string]hook{"Finalize": panics("bad")},
			wantPath: ">CRChecker>CRFinalizer>ErrorManager>End", wantErr: "panic in step Finalize: bad",
			wantCounts: map[results.Op]int{results.Failure: 1},
		},
		{
			name: "error in CheckCR while finalizing", deleted: true, finalize: true, hooks: map[string]hook{"CheckCR": fail(errBoom)},
			wantPath: ">CRChecker>ErrorManager>End", wantErr: "boom",
			wantCalls: "CheckCR OnError",
		},
		{
			name: "deleted without a Finalizer", deleted: true,
			wantPath: pathFinalizing, wantCounts: map[results.Op]int{results.Registered: 0, results.Created: 0},
			wantCalls: "CheckCR",
		},
	}
}

func TestStepperPaths(t *testing.T) {
	for _, tc := range stepperCases() {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newScope(t, tc.deleted)
			st, calls := steps(tc.hooks, tc.finalize)
			engines.NewStepper(st).Run(ctx, s)

			if got := s.Path(); got != tc.wantPath {
				t.Errorf("path = %q, want %q", got, tc.wantPath)
			}
			checkResults(t, s.Results(), tc.wantErr, tc.wantGiveUp, tc.wantCounts)
			if tc.wantCalls != "" {
				if got := calls.String(); got != tc.wantCalls {
					t.Errorf("steps called = %q, want %q", got, tc.wantCalls)
				}
			}
			res, err := s.Results().Result()
			switch {
			case tc.wantGiveUp && (res.RequeueAfter != 0 || (err != nil && !errors.Is(err, reconcile.TerminalError(nil)))):
				t.Errorf("Result() = %+v, %v; want no requeue and at most a terminal error", res, err)
			case !tc.wantGiveUp && (err != nil) != (tc.wantErr != ""):
				t.Errorf("Result() error = %v, want an error: %v", err, tc.wantErr != "")
			}
		})
	}
}

func TestStepperFinalizes(t *testing.T) {
	plain, _ := steps(nil, false)
	fin, _ := steps(nil, true)
	if engines.NewStepper(plain).Finalizes() {
		t.Error("a Stepper without Finalize finalizes")
	}
	if !engines.NewStepper(fin).Finalizes() {
		t.Error("a Stepper with Finalize does not finalize")
	}
	var _ okt.Engine[widget] = engines.NewStepper(plain)
	var _ okt.Finalizing = engines.NewStepper(plain)
}

func TestStepperNilStepsUseDefaults(t *testing.T) {
	s, _ := newScope(t, false)
	engines.NewStepper[widget](nil).Run(context.Background(), s)
	if got := s.Path(); got != pathNormal {
		t.Errorf("path = %q, want %q", got, pathNormal)
	}
}

// TestDefaultStepsModes checks that the default Update creates and updates in
// Advanced mode, and only creates in Basic mode.
func TestDefaultStepsModes(t *testing.T) {
	for _, tc := range []struct {
		mode        okt.Mode
		wantUpdated int
		wantMessage string
	}{
		{okt.Advanced, 1, "hello"},
		{okt.Basic, 0, "stale"},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			ctx := context.Background()
			w := newWidget(false)
			stale := &corev1.ConfigMap{}
			stale.Name, stale.Namespace = "w-cm", "default"
			stale.Data = map[string]string{"message": "stale"}
			c := newClient(t, w, stale)
			s := okt.NewScope(ctx, c, w, okt.WithMode(tc.mode))
			st, _ := steps(nil, false)
			engines.NewStepper(st).Run(ctx, s)
			if got := s.Path(); got != pathNormal {
				t.Fatalf("path = %q, want %q\n%s", got, pathNormal, s.Results())
			}
			if got := s.Results().Count(results.Updated); got != tc.wantUpdated {
				t.Errorf("updated = %d, want %d", got, tc.wantUpdated)
			}
			cm := &corev1.ConfigMap{}
			if err := c.Get(ctx, types.NamespacedName{Namespace: "default", Name: "w-cm"}, cm); err != nil {
				t.Fatal(err)
			}
			if got := cm.Data["message"]; got != tc.wantMessage {
				t.Errorf("message = %q, want %q", got, tc.wantMessage)
			}
		})
	}
}

func TestStepperLogsPathAndPanics(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		buf.WriteString(args + "\n")
	}, funcr.Options{Verbosity: 1})
	ctx := logr.NewContext(context.Background(), log)
	s, _ := newScope(t, false)
	st, _ := steps(map[string]hook{"Mutate": panics("bad")}, false)
	engines.NewStepper(st).Run(ctx, s)
	out := buf.String()
	for _, want := range []string{
		`"msg"="stepper path" "path"=">CRChecker>ObjectsGetter>Mutator>ErrorManager>End"`,
		`"msg"="recovered a panic"`, `"step"="Mutate"`, `"stack"=`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

// TestStepperConcurrent runs one Stepper on many scopes at once (run with
// -race).
func TestStepperConcurrent(t *testing.T) {
	st, _ := steps(map[string]hook{"CheckCR": func(_ context.Context, s *scope) error {
		if s.CR().Spec.Size%2 == 1 {
			return errBoom
		}
		return nil
	}}, false)
	stepper := engines.NewStepper(st)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWidget(false)
			w.Spec.Size = int32(i)
			s := okt.NewScope(context.Background(), newClient(t, w), w)
			stepper.Run(context.Background(), s)
			want := pathNormal
			if i%2 == 1 {
				want = ">CRChecker>ErrorManager>End"
			}
			if got := s.Path(); got != want {
				t.Errorf("widget %d: path = %q, want %q", i, got, want)
			}
		}()
	}
	wg.Wait()
}

func TestStepperMermaid(t *testing.T) {
	st, _ := steps(nil, false)
	golden.Check(t, "stepper.mermaid.golden", engines.NewStepper(st).Mermaid())
}

// keep client imported for the helpers' signatures.
var _ client.Object = newWidget(false)
