// Command bench runs one of three controllers of the same Web custom
// resource under the same manager settings, for hack/benchcompare:
//
//	okt   the controller okt create api and okt create resource scaffolded
//	book  the kubebuilder book's way: controllerutil.CreateOrUpdate and
//	      Status().Update
//	ssa   typed server-side apply of the owned objects and of the status
//
// hack/bench-compare.sh copies it into the scaffolded project as
// cmd/bench/main.go, and book.go and ssa.go into internal/bench.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	webv1 "example.com/bench/api/v1"
	"example.com/bench/internal/bench"
	"example.com/bench/internal/controller"
)

func main() {
	var which string
	var syncPeriod time.Duration
	flag.StringVar(&which, "controller", "okt", "the controller to run: okt, book or ssa")
	flag.DurationVar(&syncPeriod, "sync-period", 0, "the manager cache's SyncPeriod; 0 keeps controller-runtime's default (10 hours)")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("bench")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(webv1.AddToScheme(scheme))
	var cacheOpts cache.Options
	if syncPeriod > 0 {
		cacheOpts.SyncPeriod = &syncPeriod
	}
	// The same settings for the three: the scaffolded main.go's defaults
	// (no leader election, no metrics server), no health probes.
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cacheOpts,
	})
	if err != nil {
		log.Error(err, "unable to start manager")
		os.Exit(1)
	}
	switch which {
	case "okt":
		err = (&controller.WebReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr)
	case "book":
		err = (&bench.BookReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr)
	case "ssa":
		err = (&bench.SSAReconciler{Client: mgr.GetClient(), Scheme: mgr.GetScheme()}).SetupWithManager(mgr)
	default:
		err = fmt.Errorf("--controller %q: want okt, book or ssa", which)
	}
	if err != nil {
		log.Error(err, "unable to set up the controller")
		os.Exit(1)
	}
	log.Info("starting", "controller", which, "syncPeriod", syncPeriod.String())
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
