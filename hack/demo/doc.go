// Command demo is OKT's main job (make demo): it scaffolds a Memcached
// operator with the okt CLI in a temporary folder, adds Size and Image to its
// spec (as kubebuilder's tutorial does, so that the scaffolded Deployment uses
// them), starts a local cluster (package okt/cluster: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok's fake nodes, binaries from
// KUBEBUILDER_ASSETS), installs the CRDs, runs the operator, applies the
// sample Memcached (size 2), waits until it is Ready, prints the Stepper path
// and the objects the operator created, shows the Deployment Available with
// its Pods Running, changes the size to 3 and shows the rollout, deletes the
// sample and shows its Deployment and Pods garbage-collected. It needs no
// cluster, no Docker and no internet beyond the Go module proxy.
package main
