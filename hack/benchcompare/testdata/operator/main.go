// Command bench runs one of three controllers of the same Web custom
// resource under the same manager settings, or the floor, for
// hack/benchcompare:
//
//	okt    the controller okt create api and okt create resource scaffolded
//	book   the kubebuilder book's way: controllerutil.CreateOrUpdate and
//	       Status().Update
//	ssa    typed server-side apply of the owned objects and of the status
//	floor  no controller: the same objects and status writes made directly
//	       by a client, with as many goroutines as the controllers have
//	       workers (internal/bench/floor.go)
//	floor-apply
//	       the floor making okt's requests: the objects created by
//	       server-side applies, and an Event per custom resource
//
// The three controllers run 8 reconciles at once (the scaffold's
// MaxConcurrentReconciles; bench.Workers).
//
// hack/bench-compare.sh copies it into the scaffolded project as
// cmd/bench/main.go, and the other files of its folder into internal/bench.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	webv1 "example.com/bench/api/v1"
	"example.com/bench/internal/bench"
	"example.com/bench/internal/controller"
)

func main() {
	var which, metricsAddr string
	var syncPeriod time.Duration
	flag.StringVar(&which, "controller", "okt", "what to run: okt, book, ssa, floor or floor-apply")
	flag.DurationVar(&syncPeriod, "sync-period", 0, "the manager cache's SyncPeriod; 0 keeps controller-runtime's default (10 hours)")
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "where the manager serves its metrics over HTTP (host:port); 0: no metrics server, as in the scaffolded main.go's default")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("bench")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(webv1.AddToScheme(scheme))
	ctx := ctrl.SetupSignalHandler()

	if which == "floor" || which == "floor-apply" {
		cfg := ctrl.GetConfigOrDie() // the client-side rate limit off, as the managers'
		c, err := client.New(cfg, client.Options{Scheme: scheme})
		if err != nil {
			log.Error(err, "unable to create the client")
			os.Exit(1)
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			log.Error(err, "unable to create the clientset")
			os.Exit(1)
		}
		log.Info("starting", "controller", which)
		floor := &bench.Floor{Client: c, Clientset: cs, Scheme: scheme, Namespace: "default"}
		if which == "floor-apply" {
			broadcaster := record.NewBroadcaster()
			defer broadcaster.Shutdown()
			broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
			floor.Apply = true
			floor.Events = broadcaster.NewRecorder(scheme, corev1.EventSource{Component: "floor"})
		}
		if err := floor.Run(ctrl.LoggerInto(ctx, ctrl.Log)); err != nil {
			log.Error(err, "floor failed")
			os.Exit(1)
		}
		return
	}

	var cacheOpts cache.Options
	if syncPeriod > 0 {
		cacheOpts.SyncPeriod = &syncPeriod
	}
	// The same settings for the three: the scaffolded main.go's defaults
	// (no leader election; no metrics server unless --metrics-bind-address,
	// which hack/benchcompare sets only to count reconciles after a
	// restart), no health probes.
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
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
		err = fmt.Errorf("--controller %q: want okt, book, ssa, floor or floor-apply", which)
	}
	if err != nil {
		log.Error(err, "unable to set up the controller")
		os.Exit(1)
	}
	log.Info("starting", "controller", which, "syncPeriod", syncPeriod.String(), "metrics", metricsAddr)
	defer profile(which)()
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

// profile, when BENCH_PROFILE names a folder, writes a CPU profile of the
// run to <folder>/<controller>-<pid>.cpu.pprof and, at stop, the heap's
// allocations since start and what is live after a collection to
// <folder>/<controller>-<pid>.heap.pprof (for finding what a controller
// spends and holds; the measured runs set nothing). It samples one
// allocation in 16 kB, not 512 kB: what a controller holds per custom
// resource is a few hundred bytes.
func profile(which string) (stop func()) {
	dir := os.Getenv("BENCH_PROFILE")
	if dir == "" {
		return func() {}
	}
	goruntime.MemProfileRate = 16 << 10
	base := filepath.Join(dir, fmt.Sprintf("%s-%d", which, os.Getpid()))
	cpu, err := os.Create(base + ".cpu.pprof")
	if err == nil {
		err = pprof.StartCPUProfile(cpu)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "BENCH_PROFILE:", err)
		return func() {}
	}
	// While the manager runs, the live heap's largest size after a
	// collection, and every 20 s a heap profile (what the caches and
	// controllers hold at that time; the last one is kept), and one each
	// time the live heap grew 5% past its size at the last such profile, at
	// most every 2 s (the last one: what the controller holds at its peak).
	done, stopped := make(chan struct{}), make(chan struct{})
	var maxLive uint64
	var peakLive uint64 // the live heap at the last peak profile
	var peakAt time.Time
	go func() {
		defer close(stopped)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick, snap := time.NewTicker(100*time.Millisecond), time.NewTicker(20*time.Second)
		defer tick.Stop()
		defer snap.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(sample)
				live := sample[0].Value.Uint64()
				maxLive = max(maxLive, live)
				if live > peakLive+peakLive/20 && time.Since(peakAt) > 2*time.Second {
					writeHeap(base + ".peak.heap.pprof")
					peakLive, peakAt = live, time.Now()
				}
			case <-snap.C:
				writeHeap(base + ".live.heap.pprof")
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		fmt.Fprintf(os.Stderr, "BENCH_PROFILE: largest live heap %.1f MiB\n", float64(maxLive)/(1<<20))
		pprof.StopCPUProfile()
		_ = cpu.Close()
		writeHeap(base + ".heap.pprof")
	}
}

// writeHeap writes the heap profile (allocations since start, and what is
// live after a collection) to file.
func writeHeap(file string) {
	goruntime.GC()
	if heap, err := os.Create(file); err == nil {
		_ = pprof.Lookup("allocs").WriteTo(heap, 0)
		_ = heap.Close()
	}
}
