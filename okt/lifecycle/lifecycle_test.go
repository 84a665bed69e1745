package lifecycle_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/okt-dev/okt/okt/internal/golden"
	"github.com/okt-dev/okt/okt/lifecycle"
	"github.com/okt-dev/okt/okt/statemachine"
)

// app is what the guards look at: the workload's readiness and the
// application's answer to a health call.
type app struct {
	ready, rollingOut, healthy bool
	entered                    []lifecycle.State // entry actions run, in order
}

const (
	Deploying lifecycle.State = "Deploying"
	Running   lifecycle.State = "Running"
	Upgrading lifecycle.State = "Upgrading"
	Degraded  lifecycle.State = "Degraded"
)

func record(s lifecycle.State) lifecycle.Action[*app] {
	return func(_ context.Context, a *app) error {
		a.entered = append(a.entered, s)
		return nil
	}
}

func example(opts ...lifecycle.Option) *lifecycle.Machine[*app] {
	m := lifecycle.New[*app](Deploying, opts...)
	m.State(Deploying, record(Deploying), lifecycle.Wait(5*time.Second)).
		On("WorkloadReady", Running, func(a *app) bool { return a.ready && a.healthy })
	m.State(Running, record(Running)).
		On("HealthCheckFailed", Degraded, func(a *app) bool { return !a.healthy }).
		On("RolloutStarted", Upgrading, func(a *app) bool { return a.rollingOut })
	m.State(Upgrading, record(Upgrading), lifecycle.Wait(2*time.Second)).
		On("RolloutDone", Running, func(a *app) bool { return a.ready && !a.rollingOut })
	m.State(Degraded, record(Degraded), lifecycle.Wait(10*time.Second)).
		On("Recovered", Running, func(a *app) bool { return a.healthy && a.ready })
	return m
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func step(t *testing.T, m *lifecycle.Machine[*app], st *lifecycle.Status, a *app) lifecycle.Outcome {
	t.Helper()
	out, err := m.Step(context.Background(), st, a, now)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func path(out lifecycle.Outcome) []string {
	var p []string
	for _, tr := range out.Transitions {
		p = append(p, string(tr.From)+">"+string(tr.To)+":"+string(tr.Event))
	}
	return p
}

func TestStep(t *testing.T) {
	m := example()
	var st lifecycle.Status
	a := &app{}

	// First step: the initial state is entered, and it waits.
	out := step(t, m, &st, a)
	if diff := cmp.Diff([]string{">Deploying:"}, path(out)); diff != "" {
		t.Errorf("first step (-want +got):\n%s", diff)
	}
	if out.State != Deploying || out.Wait != 5*time.Second || st.State != Deploying || st.Since == nil {
		t.Errorf("after the first step: %+v, status %+v", out, st)
	}

	// Nothing changed: no transition, no entry action again.
	if out := step(t, m, &st, a); len(out.Transitions) != 0 {
		t.Errorf("a step with nothing new took %v", path(out))
	}

	// The workload is ready and healthy: Running.
	a.ready, a.healthy = true, true
	out = step(t, m, &st, a)
	if diff := cmp.Diff([]string{"Deploying>Running:WorkloadReady"}, path(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if out.Wait != 0 {
		t.Errorf("Running waits %v, want no wait", out.Wait)
	}

	// Priorities: unhealthy and rolling out at once: Degraded, declared first.
	a.healthy, a.rollingOut = false, true
	if diff := cmp.Diff([]string{"Running>Degraded:HealthCheckFailed"}, path(step(t, m, &st, a))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// Recovered, then an upgrade in one step: Running is entered, and its
	// guards are evaluated at once.
	a.healthy = true
	out = step(t, m, &st, a)
	if diff := cmp.Diff([]string{"Degraded>Running:Recovered", "Running>Upgrading:RolloutStarted"}, path(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if out.Wait != 2*time.Second {
		t.Errorf("Upgrading waits %v, want 2s", out.Wait)
	}
	a.rollingOut = false
	if diff := cmp.Diff([]string{"Upgrading>Running:RolloutDone"}, path(step(t, m, &st, a))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	want := []lifecycle.State{Deploying, Running, Degraded, Running, Upgrading, Running}
	if diff := cmp.Diff(want, a.entered); diff != "" {
		t.Errorf("entry actions (-want +got):\n%s", diff)
	}
	if len(st.History) != 6 || st.History[5].To != Running {
		t.Errorf("history %+v", st.History)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	m := example(lifecycle.WithHistory(3))
	var st lifecycle.Status
	a := &app{ready: true, healthy: true}
	step(t, m, &st, a) // Deploying, Running
	for range 5 {
		a.healthy = false
		step(t, m, &st, a)
		a.healthy = true
		step(t, m, &st, a)
	}
	if len(st.History) != 3 {
		t.Fatalf("history of %d, want 3", len(st.History))
	}
	if last := st.History[2]; last.From != Degraded || last.To != Running {
		t.Errorf("newest transition %+v, want Degraded>Running last", last)
	}
}

// TestPersistenceRoundTrip: a Status written as JSON (in the custom
// resource's status) and read back by a new Machine resumes where it was:
// nothing is replayed.
func TestPersistenceRoundTrip(t *testing.T) {
	var st lifecycle.Status
	a := &app{ready: true, healthy: true}
	step(t, example(), &st, a)
	data, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back lifecycle.Status
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(st, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	restarted := &app{ready: true, healthy: true}
	if out := step(t, example(), &back, restarted); len(out.Transitions) != 0 || len(restarted.entered) != 0 {
		t.Errorf("a restarted operator replayed %v, entry actions %v", path(out), restarted.entered)
	}
	if copied := back.DeepCopy(); !cmp.Equal(copied, &back) || &copied.History[0] == &back.History[0] {
		t.Error("DeepCopy is not a deep copy")
	}
}

func TestStepErrors(t *testing.T) {
	m := example()
	st := lifecycle.Status{State: "Vanished"}
	if _, err := m.Step(context.Background(), &st, &app{}, now); err == nil || st.State != "Vanished" {
		t.Errorf("unknown stored state: err %v, state %q", err, st.State)
	}

	boom := errors.New("boom")
	f := lifecycle.New[*app]("A")
	f.State("A", nil).On("Go", "B", func(*app) bool { return true })
	f.State("B", func(context.Context, *app) error { return boom })
	var fs lifecycle.Status
	out, err := f.Step(context.Background(), &fs, &app{}, now)
	var se *statemachine.StateError
	if !errors.Is(err, boom) || !errors.As(err, &se) || se.State != "B" {
		t.Errorf("failing entry action: %v", err)
	}
	if fs.State != "B" || len(out.Transitions) != 2 {
		t.Errorf("the transition into B is not recorded: %+v %v", fs, path(out))
	}

	bad := lifecycle.New[*app]("Start")
	bad.State("Start", nil).On("Go", "Nowhere", func(*app) bool { return true })
	if _, err := bad.Step(context.Background(), &lifecycle.Status{}, &app{}, now); err == nil {
		t.Error("a transition to an undeclared state was not reported")
	}
}

// TestCycleStopsTheStep: guards that send the application back and forth
// take each state once per step, never spin.
func TestCycleStopsTheStep(t *testing.T) {
	m := lifecycle.New[*app]("A")
	yes := func(*app) bool { return true }
	m.State("A", nil).On("ToB", "B", yes)
	m.State("B", nil).On("ToA", "A", yes)
	st := lifecycle.Status{State: "A"}
	out := step(t, m, &st, &app{})
	if diff := cmp.Diff([]string{"A>B:ToB"}, path(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGraphExports(t *testing.T) {
	m := example()
	golden.Check(t, "example.mermaid.golden", m.Mermaid())
	golden.Check(t, "example.dot.golden", m.DOT())
}
