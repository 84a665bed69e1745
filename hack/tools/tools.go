//go:build tools

// Package tools pins the modules that hack/controlplane.sh and hack/cluster.sh
// build from: kube-apiserver, kube-controller-manager and kube-scheduler
// (k8s.io/kubernetes), etcd and kwok. kwok is in the same module so that its
// build reuses the Kubernetes packages the others compiled (in a module of
// its own, on its own k8s.io v0.36, it cost 142 s of a cold make test); its
// requirements move no module compiled into kube-apiserver, the scheduler
// or etcd, and raise kube-controller-manager's k8s.io/cri-client only in name
// (a replace already takes it to the Kubernetes release).
package tools

import (
	_ "go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	_ "k8s.io/kubernetes/cmd/kube-scheduler/app"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
