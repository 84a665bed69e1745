// Package cluster starts a local Kubernetes cluster that runs workloads, from
// binaries built from Go modules: no Docker, no kind, no internet.
//
// A cluster is controller-runtime's envtest (etcd and kube-apiserver) plus
// kube-controller-manager, kube-scheduler and kwok (sigs.k8s.io/kwok), which
// fakes nodes and the lifecycle of their Pods. On it a Deployment gets a
// ReplicaSet and Running, Ready Pods and becomes Available, a StatefulSet comes
// up in order, a Job completes, and deleting an owner garbage-collects its
// dependents. The cluster also plays volume provisioner: every pending
// PersistentVolumeClaim gets a hostPath PersistentVolume (never mounted), and
// a default StorageClass "standard" exists, so StatefulSets with volume claim
// templates come up.
//
// Nothing runs in the Pods: no containers, logs, exec, probes, network or
// images. A Pod is Ready as soon as it is scheduled; Pods owned by a Job
// succeed at once.
//
//	c, err := cluster.Start(ctx, cluster.Options{})
//	if err != nil { ... }
//	defer c.Stop()
//	cfg := c.Config()           // a *rest.Config of a cluster admin
//	path := c.KubeconfigPath()  // the same, as a kubeconfig file
//
// # Binaries
//
// Start runs kube-apiserver, etcd, kube-controller-manager, kube-scheduler and
// kwok from one folder: Options.BinaryDir, else $KUBEBUILDER_ASSETS when it
// holds all five, else the newest folder hack/cluster.sh of the okt
// repository built in its cache
// (${OKT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okt}/controlplane/*-kwok*).
// `make cluster-assets` builds them (about four minutes the first time on two
// cores, after the control plane) and prints that folder.
//
// # Files, ports and processes
//
// Everything a cluster writes is in its temporary folder (Dir): certificates,
// etcd's data, kubeconfigs and one log file per component under Dir()/logs,
// named in the errors. Only etcd and kube-apiserver listen, on free ports of
// 127.0.0.1, so several clusters run side by side. Stop stops every process
// (each in a process group of its own) and removes the folder, and the
// kubeconfig written at Options.Kubeconfig. If the process that started a
// cluster dies without calling Stop (an interrupted test, a signal, a panic),
// a small watchdog (/bin/sh) that waits on a pipe from it kills the
// cluster's processes and removes the folder.
package cluster
