package okt_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// TestConcurrentReconciles: acceptance 7. A manager with
// MaxConcurrentReconciles=4 reconciles 20 Widgets, each owning a ConfigMap,
// a Secret and a Deployment, until all are Ready. Run under -race.
func TestConcurrentReconciles(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 testenv.Scheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	pick := func(w *testapi.Widget) []resources.Resource {
		all := allKinds(w)
		var out []resources.Resource
		for i, k := range kinds {
			if k.name == "ConfigMap" || k.name == "Secret" || k.name == "Deployment" {
				out = append(out, all[i])
			}
		}
		return out
	}
	r := okt.New[*testapi.Widget](mgr.GetClient(), okt.EngineFunc[*testapi.Widget](widgetSteps{build: pick}.run))
	err = ctrl.NewControllerManagedBy(mgr).
		For(&testapi.Widget{}).
		Owns(&corev1.ConfigMap{}).Owns(&corev1.Secret{}).Owns(&appsv1.Deployment{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: 4, SkipNameValidation: ptr.To(true)}).
		Complete(r)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()

	const n = 20
	for i := range n {
		newWidget(t, plain, ns, fmt.Sprintf("w%02d", i))
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		list := &testapi.WidgetList{}
		if err := plain.List(context.Background(), list, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		ready := 0
		for _, w := range list.Items {
			if meta.IsStatusConditionTrue(w.Status.Conditions, okt.ConditionReady) {
				ready++
			}
		}
		if ready == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d Widgets Ready after 90s", ready, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	deps := &appsv1.DeploymentList{}
	if err := plain.List(context.Background(), deps, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(deps.Items) != n {
		t.Errorf("%d Deployments, want %d", len(deps.Items), n)
	}
}
