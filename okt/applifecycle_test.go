package okt_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/tools/record"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/lifecycle"
)

// appView is what the lifecycle guards of the test operator look at.
type appView struct{ ready, healthy bool }

const (
	appDeploying lifecycle.State = "Deploying"
	appRunning   lifecycle.State = "Running"
	appUpgrading lifecycle.State = "Upgrading"
	appDegraded  lifecycle.State = "Degraded"
)

func appMachine() *lifecycle.Machine[appView] {
	m := lifecycle.New[appView](appDeploying)
	m.State(appDeploying, nil, lifecycle.Wait(time.Second)).
		On("WorkloadReady", appRunning, func(a appView) bool { return a.ready && a.healthy })
	m.State(appRunning, nil).
		On("HealthCheckFailed", appDegraded, func(a appView) bool { return !a.healthy }).
		On("RolloutStarted", appUpgrading, func(a appView) bool { return !a.ready })
	m.State(appUpgrading, nil, lifecycle.Wait(time.Second)).
		On("RolloutDone", appRunning, func(a appView) bool { return a.ready && a.healthy })
	m.State(appDegraded, nil, lifecycle.Wait(time.Second)).
		On("Recovered", appRunning, func(a appView) bool { return a.ready && a.healthy })
	return m
}

// appEngine writes the Widget's Deployment, then drives the lifecycle from
// its readiness and an HTTP health call.
func appEngine(health string) okt.EngineFunc[*testapi.Widget] {
	m := appMachine() // a new machine per engine: nothing kept between operators
	return func(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
		widgetSteps{build: poolDeployment}.run(ctx, s)
		if s.Results().HasError() {
			return
		}
		view := appView{ready: s.ObjectsReady()}
		if resp, err := http.Get(health); err == nil {
			view.healthy = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
		_ = lifecycle.Drive(ctx, s, m, &s.CR().Status.Lifecycle, view)
	}
}

// TestApplicationLifecycle: issue 10, acceptance 2, on the local cluster.
func TestApplicationLifecycle(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	var healthy atomic.Bool
	healthy.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	w := newWidget(t, plain, ns, "app")
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Data = map[string]string{"pool": "kwok"} })
	rec := record.NewFakeRecorder(100)
	r := okt.New[*testapi.Widget](plain, appEngine(srv.URL), okt.WithEventRecorder(rec))
	state := func() lifecycle.State { return getWidget(t, plain, w).Status.Lifecycle.State }
	until := func(want lifecycle.State) {
		t.Helper()
		deadline := time.Now().Add(waitBound)
		for state() != want {
			if time.Now().After(deadline) {
				t.Fatalf("lifecycle in %q after %v, want %q: %+v", state(), waitBound, want, getWidget(t, plain, w).Status.Lifecycle)
			}
			_, _ = r.Reconcile(context.Background(), request(w))
			time.Sleep(100 * time.Millisecond)
		}
	}
	history := func() []string {
		var out []string
		for _, tr := range getWidget(t, plain, w).Status.Lifecycle.History {
			out = append(out, string(tr.From)+">"+string(tr.To))
		}
		return out
	}

	until(appRunning)
	if got := strings.Join(history(), " "); got != ">Deploying Deploying>Running" {
		t.Errorf("history %q, want the Deployment's way to Running", got)
	}

	// An image change: Upgrading during the rollout, then Running.
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Image = "memcached:1.6.31" })
	until(appUpgrading)
	until(appRunning)

	// A failing health answer: Degraded, and back when it answers again.
	healthy.Store(false)
	until(appDegraded)
	healthy.Store(true)
	until(appRunning)
	want := ">Deploying Deploying>Running Running>Upgrading Upgrading>Running Running>Degraded Degraded>Running"
	if got := strings.Join(history(), " "); got != want {
		t.Errorf("history %q, want %q", got, want)
	}
	cur := getWidget(t, plain, w)
	if c := findCondition(cur, lifecycle.ConditionLifecycle); c == nil || c.Reason != "Running" || c.Message != "Degraded -> Running (Recovered)" {
		t.Errorf("Lifecycle condition %+v", c)
	}
	transitions := 0
	for len(rec.Events) > 0 {
		if e := <-rec.Events; strings.Contains(e, lifecycle.EventTransition) {
			transitions++
		}
	}
	if transitions != 6 {
		t.Errorf("%d transition Events, want 6 (one per transition)", transitions)
	}

	// The operator restarts (a new Reconciler, a new machine): it resumes in
	// Running, replays nothing.
	restarted := okt.New[*testapi.Widget](plain, appEngine(srv.URL), okt.WithEventRecorder(rec))
	for range 3 {
		mustReconcile(t, restarted, request(w))
	}
	if got := strings.Join(history(), " "); got != want || state() != appRunning {
		t.Errorf("after a restart: state %q, history %q", state(), got)
	}
	if len(rec.Events) != 0 {
		t.Errorf("a restarted operator recorded %d Event(s)", len(rec.Events))
	}
}
