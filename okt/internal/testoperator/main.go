// Command testoperator is the operator okt's reliability tests run as a
// process (package okt/internal/reliability): a manager whose controller
// reconciles Gizmos (package testapi) with the okt library, as a scaffolded
// one does (the Stepper, an Event recorder), each Gizmo owning a Deployment
// of spec.size replicas of spec.image, a Service and a ConfigMap holding
// spec.message.
//
//	testoperator --kubeconfig k --metrics-bind-address 127.0.0.1:8080 [--leader-elect --id a]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

func main() {
	metrics := flag.String("metrics-bind-address", "0", "address of the metrics endpoint (0: none)")
	leaderElect := flag.Bool("leader-elect", false, "run with leader election")
	id := flag.String("id", "", "identity in leader election")
	lease := flag.Duration("lease-duration", 15*time.Second, "leader election lease duration")
	renew := flag.Duration("renew-deadline", 10*time.Second, "leader election renew deadline")
	retry := flag.Duration("retry-period", 2*time.Second, "leader election retry period")
	workers := flag.Int("workers", 1, "concurrent reconciles")
	timeout := flag.Duration("request-timeout", 0, "timeout of each API request (0: none)")
	flag.Parse()
	ctrl.SetLogger(logr.FromSlogHandler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err := run(*metrics, *leaderElect, *id, *lease, *renew, *retry, *workers, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "testoperator:", err)
		os.Exit(1)
	}
}

func run(metrics string, leaderElect bool, id string, lease, renew, retry time.Duration, workers int, timeout time.Duration) error {
	// --kubeconfig is controller-runtime's flag: the API server, or a proxy.
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return err
	}
	cfg.Timeout = timeout
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  testenv.Scheme(),
		Metrics:                 metricsserver.Options{BindAddress: metrics},
		HealthProbeBindAddress:  "0",
		LeaderElection:          leaderElect,
		LeaderElectionID:        "testoperator.test.okt.orange.com",
		LeaderElectionNamespace: "default",
		LeaseDuration:           &lease,
		RenewDeadline:           &renew,
		RetryPeriod:             &retry,
	})
	if err != nil {
		return err
	}
	if id != "" {
		fmt.Println("testoperator: identity", id)
	}
	r := okt.New[*testapi.Gizmo](mgr.GetClient(), engines.NewStepper[*testapi.Gizmo](steps{}),
		okt.WithEventRecorder(mgr.GetEventRecorderFor("gizmo-controller")))
	if err := ctrl.NewControllerManagedBy(mgr).
		For(&testapi.Gizmo{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&corev1.ConfigMap{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Named("gizmo").
		Complete(r); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}

type steps struct {
	engines.DefaultSteps[*testapi.Gizmo]
}

func (steps) GetObjects(ctx context.Context, s *okt.Scope[*testapi.Gizmo]) error {
	return s.RegisterBuilders(ctx, deployment, service, configMap)
}

func labels(g *testapi.Gizmo) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "gizmo", "app.kubernetes.io/instance": g.Name}
}

func meta(g *testapi.Gizmo, suffix string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: g.Name + "-" + suffix, Namespace: g.Namespace, Labels: labels(g)}
}

func deployment(g *testapi.Gizmo) (resources.Resource, error) {
	return resources.NewMutable(&appsv1.Deployment{ObjectMeta: meta(g, "app")}, func(d *appsv1.Deployment) error {
		d.Spec.Replicas = ptr.To(g.Spec.Size)
		d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(g)}
		d.Spec.Template.Labels = labels(g)
		d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "app", Image: g.Spec.Image}}
		return nil
	}), nil
}

func service(g *testapi.Gizmo) (resources.Resource, error) {
	return resources.NewMutable(&corev1.Service{ObjectMeta: meta(g, "app")}, func(s *corev1.Service) error {
		s.Spec.Selector = labels(g)
		s.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}
		return nil
	}), nil
}

func configMap(g *testapi.Gizmo) (resources.Resource, error) {
	return resources.NewMutable(&corev1.ConfigMap{ObjectMeta: meta(g, "settings")}, func(c *corev1.ConfigMap) error {
		c.Data = map[string]string{"message": g.Spec.Message}
		return nil
	}), nil
}
