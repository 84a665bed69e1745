//go:build tools

// Package tools pins the modules that hack/controlplane.sh and hack/cluster.sh
// build from: kube-apiserver, kube-controller-manager and kube-scheduler
// (k8s.io/kubernetes) and etcd. kwok has its own module, hack/kwok, so that
// its requirements do not move the apiserver's.
package tools

import (
	_ "go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
)
