package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/okt-dev/okt/okt/cluster"
)

// clusterFlags are the flags of `okt cluster`.
type clusterFlags struct {
	kubeconfig string
	binaries   string
	nodes      int
	labels     map[string]string
	capacity   map[string]string
	crds       []string
}

// newClusterCommand returns the `cluster` command.
func newClusterCommand() *cobra.Command {
	var f clusterFlags
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Run a local cluster that runs workloads (no Docker), in the foreground until Ctrl-C",
		Long: `Run a local Kubernetes cluster in the foreground until Ctrl-C (SIGINT) or
SIGTERM: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
kwok, whose fake nodes run Pods (nothing runs in them: no containers, images,
logs or network; a Pod is Running and Ready once scheduled, a Job's Pods
succeed). Deployments, StatefulSets (PersistentVolumeClaims are provisioned),
Jobs and garbage collection work as on a real cluster.

The cluster admin's kubeconfig is written to --kubeconfig, else to the
cluster's temporary folder; its path is printed. On Ctrl-C every process is
stopped and every file removed, the kubeconfig included; the exit status is 0.

The binaries come from --binaries, else $KUBEBUILDER_ASSETS when it holds all
of them, else the cache of the okt repository's hack/cluster.sh; in the okt
repository, 'make cluster-assets' builds them (once) and prints their folder.`,
		Example: `  okt cluster --kubeconfig /tmp/okt.kubeconfig
  # in another terminal:
  export KUBECONFIG=/tmp/okt.kubeconfig
  kubectl get nodes
  make install run          # a kubebuilder project: its CRDs and its manager, on the cluster

  okt cluster --nodes 3 --node-labels disk=ssd --node-capacity cpu=4,memory=16Gi,pods=110`,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// envtest logs through controller-runtime's logger, which
			// prints a stack trace when nobody set it: its few messages are
			// not needed here (the components log to files).
			ctrllog.SetLogger(logr.Discard())
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runCluster(ctx, cmd.OutOrStdout(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "where to write the kubeconfig (default: the cluster's temporary folder); removed on exit")
	fl.StringVar(&f.binaries, "binaries", "", "folder of kube-apiserver, etcd, kube-controller-manager, kube-scheduler and kwok (default: $KUBEBUILDER_ASSETS, else okt's build cache)")
	fl.IntVar(&f.nodes, "nodes", 1, "number of fake nodes")
	fl.StringToStringVar(&f.labels, "node-labels", nil, "labels of every node, e.g. disk=ssd,zone=a")
	fl.StringToStringVar(&f.capacity, "node-capacity", nil, "capacity of every node, e.g. cpu=4,memory=16Gi,pods=110 (default: unlimited)")
	fl.StringSliceVar(&f.crds, "crds", nil, "folders or files of CustomResourceDefinitions to install")
	return cmd
}

// runCluster starts the cluster, prints how to use it and stops it when ctx
// ends (a signal) or a component fails.
func runCluster(ctx context.Context, out io.Writer, f clusterFlags) error {
	if f.nodes < 1 {
		return fmt.Errorf("--nodes %d: a cluster needs at least one node", f.nodes)
	}
	capacity := corev1.ResourceList{}
	for name, value := range f.capacity {
		q, err := resource.ParseQuantity(value)
		if err != nil {
			return fmt.Errorf("--node-capacity %s=%s: %w", name, value, err)
		}
		capacity[corev1.ResourceName(name)] = q
	}
	nodes := make([]cluster.Node, f.nodes)
	for i := range nodes {
		nodes[i] = cluster.Node{Labels: f.labels, Capacity: capacity}
	}
	fmt.Fprintf(out, "okt cluster: starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok with %d fake node(s)\n", f.nodes)
	begin := time.Now()
	c, err := cluster.Start(ctx, cluster.Options{
		BinaryDir:         f.binaries,
		Nodes:             nodes,
		Kubeconfig:        f.kubeconfig,
		CRDDirectoryPaths: f.crds,
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
			fmt.Fprintln(out, "okt cluster: interrupted while starting; nothing is left running")
			return nil
		}
		return err
	}
	fmt.Fprintf(out, `okt cluster: ready in %.1fs, nodes %v (binaries from %s)
  kubeconfig: %s
  logs:       %s

  export KUBECONFIG=%s
  kubectl get nodes
  make install run    # in a kubebuilder project: its CRDs and its manager, on this cluster

Ctrl-C stops the cluster and removes its files.
`, time.Since(begin).Seconds(), c.Nodes(), c.BinaryDir(), c.KubeconfigPath(), c.LogDir(), c.KubeconfigPath())

	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	var failed error
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case <-ticker.C:
			if failed = c.Err(); failed != nil {
				break wait
			}
		}
	}
	fmt.Fprintln(out, "okt cluster: stopping")
	if err := c.Stop(); err != nil {
		return errors.Join(failed, err)
	}
	if failed != nil {
		return fmt.Errorf("the cluster failed, and was stopped: %w", failed)
	}
	fmt.Fprintln(out, "okt cluster: stopped; nothing is left running")
	return nil
}
